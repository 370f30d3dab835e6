using Microsoft.Extensions.Options;

namespace RseOrleans.Grains.Fanout;

/// <summary>
/// Kept in memory only: losing it (a restart) makes everyone count as inactive, which costs a
/// rebuild at their next read and never a missing post.
/// </summary>
[CollectionAgeLimit(Days = 365)]
public sealed class PresenceGrain(IOptions<FeedOptions> options, TimeProvider clock) : Grain, IPresenceGrain
{
    private readonly Dictionary<string, DateTimeOffset> lastSeen = new(StringComparer.Ordinal);

    public Task<bool> Seen(string userId)
    {
        var now = clock.GetUtcNow();
        var wasActive = IsActive(userId, now);
        lastSeen[userId] = now;
        return Task.FromResult(wasActive);
    }

    public Task<string[]> FilterActive(string[] userIds)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(userIds.Where(userId => IsActive(userId, now)).ToArray());
    }

    private bool IsActive(string userId, DateTimeOffset now) =>
        lastSeen.TryGetValue(userId, out var seen) && now - seen <= options.Value.InactiveAfter;
}
