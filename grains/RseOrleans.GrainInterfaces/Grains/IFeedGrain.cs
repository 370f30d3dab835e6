using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// A user's home timeline: references to the posts of the sources they follow or belong to,
/// newest last, bounded in size. Key: the user id.
/// </summary>
public interface IFeedGrain : IGrainWithStringKey
{
    /// <summary>Subscribes the timeline to a source and backfills the given recent posts.</summary>
    Task AddSource(SourceId source, IReadOnlyList<long> recentPostIds);

    /// <summary>Unsubscribes and drops every entry of the source at once.</summary>
    Task RemoveSource(SourceId source);

    /// <summary>The keys of the subscribed sources: a copy derived from follows and memberships, read by their repair.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyCollection<string>> GetSourceKeys();

    /// <summary>Appends a post; ignored when the source is not subscribed or the post is already there.</summary>
    Task Deliver(FeedDelivery delivery);

    /// <summary>
    /// Entries newest first, strictly older than <paramref name="before"/> when given. Not
    /// interleaved: a read first merges in the new posts of pulled sources.
    /// </summary>
    Task<FeedRefPage> ReadBefore(long? before, int count);

    /// <summary>Entries oldest first, strictly newer than <paramref name="after"/>, pulled sources merged in.</summary>
    Task<FeedRefPage> ReadAfter(long after, int count);

    /// <summary>
    /// Keeps the live stream of this feed flowing for a watcher for the lease period; the
    /// feed publishes nothing while nobody watches.
    /// </summary>
    Task Watch(Guid watcherId, TimeSpan lease);

    Task Unwatch(Guid watcherId);
}
