using System.Net.Sockets;
using RseOrleans.Grains.Durability;

namespace RseOrleans.Tests.Fixtures;

/// <summary>The embedded activity log (which keeps nothing), whose appends a test can make fail as a lost database would.</summary>
public sealed class FailableActivityLog : IActivityLog
{
    private readonly NoActivityLog kept = new();
    private volatile bool failing;

    public IDisposable FailAppends()
    {
        failing = true;
        return new Outage(() => failing = false);
    }

    public Task AppendAsync(Activity activity, bool fanoutPending = false) =>
        failing ? Task.FromException(new SocketException((int)SocketError.ConnectionRefused)) : kept.AppendAsync(activity, fanoutPending);

    public Task AppendAllAsync(IReadOnlyList<Activity> activities, bool fanoutPending = false) =>
        failing ? Task.FromException(new SocketException((int)SocketError.ConnectionRefused)) : kept.AppendAllAsync(activities, fanoutPending);

    public Task FanoutsCompletedAsync(IReadOnlyCollection<long> postIds) => kept.FanoutsCompletedAsync(postIds);

    public Task EraseActorAsync(string userId) => kept.EraseActorAsync(userId);

    public Task<IReadOnlyList<PendingFanout>> PendingFanoutsAsync(TimeSpan olderThan, int max) => kept.PendingFanoutsAsync(olderThan, max);

    public Task<IReadOnlyList<long>> PostsOfAsync(string sourceKey, long? before, int count) => kept.PostsOfAsync(sourceKey, before, count);

    public Task<IReadOnlyList<SourcePost>> NewestPostsOfAsync(IReadOnlyCollection<string> sourceKeys, long? after, int count) =>
        kept.NewestPostsOfAsync(sourceKeys, after, count);
}
