using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RseOrleans.Grains.Durability;

/// <summary>
/// Finishes the fan-outs a dead silo left half done. Every silo runs one; they may find the same
/// pending post at once, which is harmless: the source grain handles one resume at a time and the
/// second finds nothing left to do.
/// </summary>
public sealed partial class FanoutRecoveryService(
    IActivityLog activityLog,
    IGrainFactory grains,
    IOptions<FeedOptions> options,
    ILogger<FanoutRecoveryService> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FanoutRecoveryInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ResumePendingAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Storage away or the cluster busy: the pending rows stay, the next tick tries again.
                LogRecoveryFailed(ex);
            }
        }
    }

    public async Task<int> ResumePendingAsync()
    {
        var pending = await activityLog.PendingFanoutsAsync(options.Value.FanoutRecoveryAfter, BatchSize);
        foreach (var fanout in pending)
        {
            LogResuming(fanout.PostId, fanout.SourceKey);
            await grains.GetGrain<ISourceGrain>(fanout.SourceKey).ResumeFanout(fanout.PostId);
        }

        return pending.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the fan-out of post {PostId} from {Source}")]
    private partial void LogResuming(long postId, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for fan-outs to resume failed; retrying at the next interval")]
    private partial void LogRecoveryFailed(Exception exception);
}
