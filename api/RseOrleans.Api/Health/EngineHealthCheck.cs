using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RseOrleans.Api.Health;

/// <summary>Healthy when the Orleans cluster answers a management call in time.</summary>
public sealed class EngineHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
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
