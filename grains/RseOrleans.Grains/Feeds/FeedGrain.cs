using Microsoft.Extensions.Options;
using Orleans.Streams;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Fanout;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Feeds;

[GenerateSerializer]
[Alias("rse.FeedState")]
public sealed class FeedState
{
    /// <summary>
    /// Keys of the followed users' and joined groups' sources: all a rebuild needs. A derived copy:
    /// follows are owned by the user grain, memberships by the group grains (repair: RepairDerivedCopies).
    /// </summary>
    [Id(0)]
    public List<string> SourcesCopy { get; set; } = [];
}

/// <summary>
/// The home timeline of one user. Only the subscribed sources are grain state; the timeline
/// (<see cref="HomeTimeline"/>) is a cache, so a delivery never costs a storage write. At the first
/// read after activation it is restored from the <see cref="ITimelineStore"/> and caught up from the
/// <see cref="IFeedHistory"/>, or else rebuilt from the history; which of them can do what is the
/// mode's, chosen by the services registered at start-up. From then on, for as long as the grain is
/// in memory (until it has gone unread for <see cref="FeedOptions.InactiveAfter"/>), the posts of
/// pushed sources are offered to the timeline by its silo's delivery service, or delivered by
/// <see cref="Deliver"/> while it is watched; posts of pulled sources (very large audiences) are
/// merged in when read.
/// </summary>
[GrainType("feed")]
public sealed class FeedGrain(
    [PersistentState("feed", StorageNames.Main)] IPersistentState<FeedState> state,
    IOptions<FeedOptions> options,
    PulledSourceCache pulledSources,
    LocalFeeds localFeeds,
    SharedStrings strings,
    IFeedHistory history,
    ITimelineStore timelines,
    TimeProvider clock) : Grain, IFeedGrain
{
    private readonly HomeTimeline timeline = new(options.Value.MaxEntries);

    // Created by the first watch: most feeds are never watched, and every active user has one.
    private Dictionary<Guid, DateTimeOffset>? watchers;
    private IAsyncStream<FeedEvent>? liveStream;

    private string UserId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var sources = state.State.SourcesCopy;
        var ownSource = SourceId.User(UserId).Key;
        for (var i = 0; i < sources.Count; i++)
        {
            sources[i] = Shared(sources[i], ownSource);
            timeline.Follow(sources[i], []);
        }

        localFeeds.Open(UserId, timeline);
        timelines.ScheduleSaves(this, SaveAsync);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Unregistered before the last save: what is published from now on is caught up from the
        // history by the next activation, which reads back to shortly before this save.
        localFeeds.Close(UserId, timeline);
        return SaveAsync();
    }

    public async Task AddSource(SourceId source, IReadOnlyList<long> recentPostIds)
    {
        // One string for the state, the timeline and every other feed: Key builds a new one at every call.
        var key = Shared(source.Key, SourceId.User(UserId).Key);
        if (timeline.Follow(key, recentPostIds))
        {
            state.State.SourcesCopy.Add(key);
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveSource(SourceId source)
    {
        var key = source.Key;
        if (timeline.Unfollow(key))
        {
            state.State.SourcesCopy.Remove(key);
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyCollection<string>> GetSourceKeys() =>
        Task.FromResult<IReadOnlyCollection<string>>([.. state.State.SourcesCopy]);

    public async Task Deliver(FeedDelivery delivery)
    {
        if (timeline.Deliver(delivery.Source.Key, delivery.PostId) is { } entry && HasWatchers())
        {
            liveStream ??= this.GetStreamProvider(StreamNames.Provider)
                .GetStream<FeedEvent>(StreamId.Create(StreamNames.HomeFeed, this.GetPrimaryKeyString()));
            await liveStream.OnNextAsync(new FeedEvent(entry));
        }
    }

    public async Task<FeedRefPage> ReadBefore(long? before, int count)
    {
        await PrepareForReadAsync();
        return timeline.ReadBefore(before, count);
    }

    public async Task<FeedRefPage> ReadAfter(long after, int count)
    {
        await PrepareForReadAsync();
        return timeline.ReadAfter(after, count);
    }

    public Task Watch(Guid watcherId, TimeSpan lease)
    {
        (watchers ??= [])[watcherId] = clock.GetUtcNow() + lease;

        // From now on deliveries call this grain, which wakes the watchers. Whatever was merged
        // before is read by the watch, which reads after registering.
        timeline.SetWatched(true);
        return Task.CompletedTask;
    }

    public Task Unwatch(Guid watcherId)
    {
        watchers?.Remove(watcherId);
        HasWatchers();
        return Task.CompletedTask;
    }

    /// <summary>Builds the timeline at the first read after activation, then merges the pulled sources.</summary>
    private async Task PrepareForReadAsync()
    {
        // Tested here too so that a read of a built timeline creates no delegate.
        if (!timeline.IsBuilt)
        {
            await timeline.EnsureBuiltAsync(BuildAsync);
        }

        await PullAsync();
    }

    /// <summary>
    /// Restores the saved timeline and catches up on what its sources published since shortly before
    /// it was saved: complete, because every post is in the history before its fan-out starts. Else
    /// (nothing saved, or nothing to catch up from) rebuilds it from the history.
    /// </summary>
    private async Task BuildAsync()
    {
        var sources = timeline.Sources;
        if (await timelines.LoadAsync(UserId) is { } saved && timeline.CanRestore(saved))
        {
            var since = TimeOrderedIdGenerator.FirstIdAt(saved.SavedAt - options.Value.TimelineCatchUpMargin);
            if (await history.NewerThanAsync(sources, since, timeline.Capacity) is { } missed && timeline.Restore(saved, missed))
            {
                return;
            }
        }

        timeline.Rebuild(await history.NewestAsync(sources, timeline.Capacity));
    }

    private Task SaveAsync() => timelines.SaveAsync(UserId, timeline);

    /// <summary>
    /// Merges the new posts of the pulled sources this user follows, as if they had been delivered.
    /// The source lists come from the silo's cache, not from the sources.
    /// </summary>
    private async Task PullAsync()
    {
        var pulled = await pulledSources.GetPulledSourcesAsync();
        if (pulled.Count == 0)
        {
            return;
        }

        foreach (var source in timeline.Sources)
        {
            if (pulled.Contains(source))
            {
                timeline.Pull(source, await pulledSources.GetRecentAsync(source));
            }
        }
    }

    // The user's own source key is theirs alone: sharing it would only add an entry to the table.
    private string Shared(string sourceKey, string ownSource) => sourceKey == ownSource ? sourceKey : strings.Share(sourceKey);

    /// <summary>Drops expired watchers; once none is left, deliveries are merged without calling the grain again.</summary>
    private bool HasWatchers()
    {
        if (watchers is null)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        foreach (var (id, expiry) in watchers)
        {
            if (expiry < now)
            {
                watchers.Remove(id);
            }
        }

        if (watchers.Count > 0)
        {
            return true;
        }

        watchers = null;
        timeline.SetWatched(false);
        return false;
    }
}
