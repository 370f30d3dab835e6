using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RseOrleans.Api.Health;

/// <summary>
/// Live while the process answers and its silo has not been declared dead: a dead silo never
/// rejoins, only a restart helps. Anything else (joining, a cluster that does not answer) is
/// readiness' business, so that a cluster-wide hiccup takes pods out of service without
/// restarting them all.
/// </summary>
public sealed class SiloLivenessCheck(ILocalSiloStatus? localSilo = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(localSilo?.Status == SiloStatus.Dead
            ? HealthCheckResult.Unhealthy("This silo was declared dead by the cluster: restart it.")
            : HealthCheckResult.Healthy("The engine process answers."));
}
