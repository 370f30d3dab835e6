using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RseOrleans.Api.Health;

/// <summary>
/// Healthy when this engine can serve calls. With a silo in the process, that is the silo being
/// an active member of the cluster in its own view: the membership table in Redis may be lost or
/// unreachable for a while without stopping calls, so its state must not make every silo report
/// NOT_SERVING. Without a silo (an API process using the Orleans client), the cluster must answer
/// a management call in time.
/// </summary>
public sealed class EngineHealthCheck(IGrainFactory grains, ILocalSiloStatus? localSilo = null) : IHealthCheck
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (localSilo is not null)
        {
            var status = localSilo.Status;
            return status == SiloStatus.Active
                ? HealthCheckResult.Healthy("This silo is an active member of the cluster.")
                : HealthCheckResult.Unhealthy($"This silo is {status}, not an active member of the cluster.");
        }

        try
        {
            var hosts = grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, cancellationToken);
            var silos = await hosts.WaitAsync(Patience, cancellationToken);
            return silos.Count > 0
                ? HealthCheckResult.Healthy($"{silos.Count} active silo(s)")
                : HealthCheckResult.Unhealthy("No active silo.");
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            return HealthCheckResult.Unhealthy("The Orleans cluster does not answer.", ex);
        }
    }
}
