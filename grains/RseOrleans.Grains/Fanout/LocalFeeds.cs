using System.Collections.Concurrent;
using RseOrleans.Grains.Feeds;

namespace RseOrleans.Grains.Fanout;

/// <summary>
/// The home timelines of the feed grains in memory on this silo, by user id, as the silo's delivery
/// service reaches them: a post is offered straight to the timeline, without a grain call.
/// </summary>
public sealed class LocalFeeds
{
    private readonly ConcurrentDictionary<string, HomeTimeline> feeds = new(StringComparer.Ordinal);

    /// <summary>Registers the timeline of a feed grain activating on this silo.</summary>
    internal void Open(string userId, HomeTimeline timeline) => feeds[userId] = timeline;

    /// <summary>Unregisters it as the grain deactivates; a newer activation's registration is left alone.</summary>
    internal void Close(string userId, HomeTimeline timeline) => feeds.TryRemove(new KeyValuePair<string, HomeTimeline>(userId, timeline));

    internal HomeTimeline? Find(string userId) => feeds.GetValueOrDefault(userId);
}
