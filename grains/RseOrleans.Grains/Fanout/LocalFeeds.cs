using System.Collections.Concurrent;
using RseOrleans.Grains.Feeds;
using RseOrleans.Model;

namespace RseOrleans.Grains.Fanout;

/// <summary>The feed grains in memory on this silo, by user id, as the silo's delivery service reaches them.</summary>
public sealed class LocalFeeds
{
    private readonly ConcurrentDictionary<string, LocalFeed> feeds = new(StringComparer.Ordinal);

    /// <summary>Registers the timeline of a feed grain activating on this silo.</summary>
    internal LocalFeed Open(string userId, Timeline timeline)
    {
        var feed = new LocalFeed(timeline);
        feeds[userId] = feed;
        return feed;
    }

    /// <summary>Unregisters it as the grain deactivates; a newer activation's registration is left alone.</summary>
    internal void Close(string userId, LocalFeed feed) => feeds.TryRemove(new KeyValuePair<string, LocalFeed>(userId, feed));

    public LocalFeed? Find(string userId) => feeds.GetValueOrDefault(userId);
}

/// <summary>
/// A feed grain's timeline as its silo's delivery service sees it: a post is appended straight into
/// it, without a grain call. The timeline is the lock: the grain takes it around every use of the
/// timeline, and the service around each delivery, so a delivery is one uncontended lock and an
/// append. Until the grain has built its timeline (at its first read), deliveries are skipped, since
/// the build reads the sources, where every post is stored before it is fanned out; the few that
/// arrive while the build is reading are kept and appended once it is done.
/// </summary>
public sealed class LocalFeed
{
    private readonly Timeline timeline;
    private BuildState state;
    private bool watched;
    private List<(string SourceKey, long PostId)>? arrivedWhileBuilding;

    internal LocalFeed(Timeline timeline) => this.timeline = timeline;

    internal object Lock => timeline;

    /// <summary>Whether the timeline changed since it was last saved; read and reset by the grain under <see cref="Lock"/>.</summary>
    internal bool Changed { get; set; }

    internal bool IsBuilt => state == BuildState.Built;

    /// <summary>
    /// Appends the post for the grain; false when the feed is watched: its watchers must be woken
    /// now, which takes a turn of the grain, so the caller delivers by calling it.
    /// </summary>
    public bool TryDeliver(string sourceKey, long postId)
    {
        lock (timeline)
        {
            if (watched)
            {
                return false;
            }

            switch (state)
            {
                case BuildState.Built:
                    Changed |= Accept(sourceKey, postId) is not null;
                    break;
                case BuildState.Building:
                    (arrivedWhileBuilding ??= []).Add((sourceKey, postId));
                    break;
            }

            return true;
        }
    }

    /// <summary>Appends a delivered post; null when its source is not followed or the post is here already. Call under <see cref="Lock"/>.</summary>
    internal FeedRef? Accept(string sourceKey, long postId)
    {
        if (!timeline.HasSource(sourceKey))
        {
            return null;
        }

        // A source that is pushed today may be pulled tomorrow: its pulls start after what was pushed.
        timeline.Remember(sourceKey, postId);
        return timeline.Append(sourceKey, postId);
    }

    /// <summary>Called by the grain before its build starts reading: from now on deliveries are kept for it.</summary>
    internal void BuildStarting()
    {
        lock (timeline)
        {
            state = BuildState.Building;
        }
    }

    /// <summary>
    /// Called by the grain under <see cref="Lock"/> once the built timeline is in place: appends what
    /// arrived meanwhile, and from now on deliveries are appended as they come.
    /// </summary>
    internal void BuildCompleted()
    {
        foreach (var (sourceKey, postId) in arrivedWhileBuilding ?? [])
        {
            Accept(sourceKey, postId);
        }

        arrivedWhileBuilding = null;
        state = BuildState.Built;
    }

    /// <summary>Called by the grain when its build failed: deliveries are skipped again until the next build.</summary>
    internal void BuildFailed()
    {
        lock (timeline)
        {
            arrivedWhileBuilding = null;
            state = BuildState.Unbuilt;
        }
    }

    /// <summary>
    /// Switches delivery between appending here and calling the grain. Under the timeline's lock, so
    /// that a post is either in the timeline before a watch reads it, or announced to the watch.
    /// </summary>
    internal void SetWatched(bool isWatched)
    {
        lock (timeline)
        {
            watched = isWatched;
        }
    }

    private enum BuildState : byte
    {
        Unbuilt,
        Building,
        Built,
    }
}
