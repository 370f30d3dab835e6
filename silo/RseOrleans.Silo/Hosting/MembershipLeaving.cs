using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace RseOrleans.Silo.Hosting;

/// <summary>
/// Keeps a graceful stop within Kubernetes' grace period when the membership table (Redis) cannot
/// be written, and says once that the silo left without recording it.
/// </summary>
/// <remarks>
/// A leaving silo writes "shutting down", then "dead" into the table. Orleans retries each status
/// write for <see cref="ClusterMembershipOptions.MaxJoinAttemptTime"/> (5 minutes by default), cut
/// at one minute per write while stopping: with Redis unreachable a stop took 120 s, and Kubernetes
/// kills the pod at 60 s. That one setting also bounds the silo's start, its joining, and how long
/// others wait before evicting a silo stuck joining, so it keeps its configured value until the
/// silo begins to stop; then this lowers it to <see cref="LeavingWriteLimit"/> (Orleans reads it at
/// every status write). A silo that could not record its leaving loses nothing, since grain state
/// is in PostgreSQL: the others declare it dead by probing, in about 3 s.
/// </remarks>
public sealed partial class MembershipLeaving(
    IOptions<ClusterMembershipOptions> membership,
    ISiloStatusOracle silo,
    ILogger<MembershipLeaving> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>
    /// How long each leaving write is retried: a few attempts (Orleans backs off 1 s, then more),
    /// enough to ride out a blip. Both writes then give up in about 20 s in all.
    /// </summary>
    public static readonly TimeSpan LeavingWriteLimit = TimeSpan.FromSeconds(5);

    public void Participate(ISiloLifecycle lifecycle)
    {
        // Stages stop from the highest down: Active stops just before Orleans' membership agent
        // writes "shutting down" (BecomeActive), and RuntimeInitialize just after it wrote "dead".
        lifecycle.Subscribe(nameof(MembershipLeaving), ServiceLifecycleStage.Active, _ => Task.CompletedTask, LimitLeavingWrites);
        lifecycle.Subscribe(nameof(MembershipLeaving), ServiceLifecycleStage.RuntimeInitialize, _ => Task.CompletedTask, ReportUnrecordedLeaving);
    }

    private Task LimitLeavingWrites(CancellationToken cancellationToken)
    {
        var options = membership.Value;
        if (options.MaxJoinAttemptTime > LeavingWriteLimit)
        {
            options.MaxJoinAttemptTime = LeavingWriteLimit;
        }

        return Task.CompletedTask;
    }

    private Task ReportUnrecordedLeaving(CancellationToken cancellationToken)
    {
        // The oracle takes a status only once the table holds it.
        if (silo.CurrentStatus != SiloStatus.Dead)
        {
            LogUnrecordedLeaving(silo.CurrentStatus);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "This silo could not record leaving in the membership table; others will declare this silo dead by probing. " +
                  "Its entry still says {Status}: check that Redis runs and that the silos reach it. Nothing is lost: grain state is in PostgreSQL.")]
    private partial void LogUnrecordedLeaving(SiloStatus status);
}
