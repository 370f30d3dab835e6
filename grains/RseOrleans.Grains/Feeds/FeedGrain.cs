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
    /// <summary>Keys of the followed users' and joined groups' sources: all a rebuild needs.</summary>
    [Id(0)]
    public List<string> Sources { get; set; } = [];
}

/// <summary>
/// The home timeline of one user. Only the subscribed sources are grain state; the entries are
/// a cache, so a delivery never costs a storage write. At the first read after activation the
/// timeline is restored from the timeline store (Redis, durable mode) and caught up from the
/// activity log, or else rebuilt from the sources' recent posts; it is rebuilt again when the
/// reader comes back after counting as inactive. Posts of pushed sources arrive by
/// <see cref="Deliver"/>; posts of pulled sources (very large audiences) are merged in when read.
/// </summary>
[GrainType("feed")]
public sealed class FeedGrain(
    [PersistentState("feed", StorageNames.Main)] IPersistentState<FeedState> state,
    IOptions<FeedOptions> options,
    PulledSourceCache pulledSources,
    IActivityLog activityLog,
    ITimelineStore timelines,
    TimeProvider clock) : Grain, IFeedGrain
{
    private readonly Timeline timeline = new(options.Value.MaxEntries);

    // Created by the first watch: most feeds are never watched, and every active user has one.
    private Dictionary<Guid, DateTimeOffset>? watchers;
    private IAsyncStream<FeedEvent>? liveStream;

    // The timeline is built from the sources at the first read after activation, not before:
    // deliveries that come first are in the sources' windows too, so the build includes them.
    private bool built;

    // Changed since it was last saved to the timeline store.
    private bool dirty;

    private string UserId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var source in state.State.Sources)
        {
            timeline.AddSource(source);
        }

        if (timelines.IsKept)
        {
            var every = options.Value.TimelineSaveInterval;
            this.RegisterGrainTimer(SaveIfChangedAsync, every, every);
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        SaveIfChangedAsync();

    public async Task AddSource(SourceId source, IReadOnlyList<long> recentPostIds)
    {
        // One string for the state and the timeline: Key builds a new one at every call.
        var key = source.Key;
        if (timeline.AddSource(key))
        {
            state.State.Sources.Add(key);
            await state.WriteStateAsync();
        }

        dirty |= timeline.Backfill(key, recentPostIds) > 0;
        Remember(key, recentPostIds);
    }

    public async Task RemoveSource(SourceId source)
    {
        if (timeline.RemoveSource(source.Key))
        {
            dirty = true;
            state.State.Sources.Remove(source.Key);
            await state.WriteStateAsync();
        }
    }

    public async Task Deliver(FeedDelivery delivery)
    {
        var source = delivery.Source.Key;
        if (!timeline.HasSource(source))
        {
            return;
        }

        // A source that is pushed today may be pulled tomorrow: its pulls start after what was pushed.
        Remember(source, delivery.PostId);
        if (timeline.Append(source, delivery.PostId) is not { } entry)
        {
            return;
        }

        dirty = true;
        if (HasWatchers())
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

    /// <summary>
    /// Reports the reader as active, rebuilds the timeline if large sources may have skipped them
    /// while they were inactive, then merges the pulled sources. Being seen comes first: from then
    /// on no fan-out skips them, and anything skipped before is in the sources' recent windows.
    /// </summary>
    private async Task PrepareForReadAsync()
    {
        var wasActive = await GrainFactory.PresenceOf(UserId).Seen(UserId);
        if (!built)
        {
            if (!await RestoreAsync())
            {
                await RebuildAsync();
            }
        }
        else if (!wasActive)
        {
            await RebuildAsync();
        }

        await PullAsync();
    }

    /// <summary>
    /// Takes the saved timeline and appends what its sources published since shortly before it was
    /// saved, read from the activity log: complete, because every post is in the log before its
    /// fan-out starts. False when there is nothing usable to restore from.
    /// </summary>
    private async Task<bool> RestoreAsync()
    {
        if (!timelines.IsKept || !activityLog.IsKept
            || await timelines.LoadAsync(UserId) is not { } snapshot
            || !snapshot.Sources.ToHashSet(StringComparer.Ordinal).SetEquals(timeline.Sources)
            || !timeline.Restore(snapshot))
        {
            return false;
        }

        for (var i = 0; i < snapshot.PostIds.Length; i++)
        {
            Remember(snapshot.Sources[snapshot.SourceIndexes[i]], snapshot.PostIds[i]);
        }

        var since = TimeOrderedIdGenerator.FirstIdAt(snapshot.SavedAt - options.Value.TimelineCatchUpMargin);
        var missed = await activityLog.NewestPostsOfAsync(timeline.Sources.ToArray(), since, timeline.Capacity);
        for (var i = missed.Count - 1; i >= 0; i--)
        {
            dirty |= timeline.Append(missed[i].SourceKey, missed[i].PostId) is not null;
            Remember(missed[i].SourceKey, missed[i].PostId);
        }

        built = true;
        return true;
    }

    /// <summary>The newest posts of every source: from the activity log when it is kept, else from the sources.</summary>
    private async Task RebuildAsync()
    {
        var sources = timeline.Sources.ToArray();
        IReadOnlyList<long>[] recent;
        if (activityLog.IsKept)
        {
            var newest = await activityLog.NewestPostsOfAsync(sources, after: null, timeline.Capacity);
            var bySource = newest.ToLookup(post => post.SourceKey, post => post.PostId, StringComparer.Ordinal);
            recent = [.. sources.Select(source => (IReadOnlyList<long>)bySource[source].ToArray())];
        }
        else
        {
            recent = await Task.WhenAll(sources.Select(source =>
                GrainFactory.GetGrain<ISourceGrain>(source).GetRecent(before: null, timeline.Capacity)));
        }

        timeline.Rebuild(sources.Zip(recent));
        foreach (var (source, postIds) in sources.Zip(recent))
        {
            Remember(source, postIds);
        }

        built = true;
        dirty = true;
    }

    private async Task SaveIfChangedAsync()
    {
        if (!dirty || !built || !timelines.IsKept)
        {
            return;
        }

        dirty = false;
        await timelines.SaveAsync(UserId, timeline.ToSnapshot(clock.GetUtcNow()));
    }

    public Task Watch(Guid watcherId, TimeSpan lease)
    {
        (watchers ??= [])[watcherId] = clock.GetUtcNow() + lease;
        return Task.CompletedTask;
    }

    public Task Unwatch(Guid watcherId)
    {
        watchers?.Remove(watcherId);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Appends the new posts of the pulled sources this user follows, as if they had been
    /// delivered: they take cursors after the newest one, so paging and watching keep their
    /// guarantees. The source lists come from the silo's cache, not from the sources.
    /// </summary>
    private async Task PullAsync()
    {
        var pulled = await pulledSources.GetPulledSourcesAsync();
        if (pulled.Count == 0)
        {
            return;
        }

        foreach (var source in timeline.Sources.Where(pulled.Contains).ToArray())
        {
            var recent = await pulledSources.GetRecentAsync(source);
            var known = timeline.NewestKnown(source);
            for (var i = recent.Count - 1; i >= 0; i--)
            {
                if (recent[i] > known)
                {
                    dirty |= timeline.Append(source, recent[i]) is not null;
                }
            }

            Remember(source, recent);
        }
    }

    private void Remember(string source, IReadOnlyList<long> postIds)
    {
        if (postIds.Count > 0)
        {
            Remember(source, postIds.Max());
        }
    }

    private void Remember(string source, long postId) => timeline.Remember(source, postId);

    private bool HasWatchers()
    {
        if (watchers is not { Count: > 0 })
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

        return watchers.Count > 0;
    }
}
