using Microsoft.Extensions.Logging;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Events;
using RseOrleans.Grains.Sources;

namespace RseOrleans.Storage;

/// <summary>Durable mode: grain state outlives every deactivation, and the activity log has every post.</summary>
public sealed partial class DurableSourceKeeping(IActivityLog activityLog, IGrainFactory grains, ILogger<DurableSourceKeeping> logger) : ISourceKeeping
{
    public bool OutlastsDeactivation(DeactivationReason reason) => true;

    public void FanoutsCompletedInBackground(IReadOnlyCollection<long> postIds)
    {
        if (postIds.Count == 0)
        {
            return;
        }

        // Off the grain's scheduler: the activity log needs nothing of the grain, which may be gone by then.
        // A mark stays until its post's events are settled too (PostEventsSettling); one whose post
        // could not say stays for the recovery.
        _ = Task.Run(async () =>
        {
            try
            {
                await activityLog.FanoutsCompletedAsync(await grains.SettledAsync(postIds));
            }
            catch (Exception ex)
            {
                LogMarksStay(ex, postIds.Count);
            }
        });
    }

    public async ValueTask<IReadOnlyList<long>> OlderThanWindowAsync(string sourceKey, long[] page, long before, int count)
    {
        var older = await activityLog.PostsOfAsync(sourceKey, before, count);
        return [.. page, .. older];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pending marks of {Count} completed fan-outs stay until the recovery clears them")]
    private partial void LogMarksStay(Exception exception, int count);
}
