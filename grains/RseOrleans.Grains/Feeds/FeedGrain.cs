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
/// activity log, or else rebuilt from the sources' recent posts. From then on, for as long as the
/// grain is in memory (until it has gone unread for <see cref="FeedOptions.InactiveAfter"/>), the
/// posts of pushed sources are appended by its silo's delivery service (<see cref="LocalFeed"/>),
/// or by <see cref="Deliver"/> while it is watched; posts of pulled sources (very large
/// audiences) are merged in when read.
/// </summary>
/// <remarks>
/// The timeline is shared with the silo's delivery service, which appends outside the grain's
/// turns: every use of it here is under <see cref="LocalFeed.Lock"/>, never across an await.
/// </remarks>
[GrainType("feed")]
public sealed class FeedGrain(
    [PersistentState("feed", StorageNames.Main)] IPersistentState<FeedState> state,
    IOptions<FeedOptions> options,
    PulledSourceCache pulledSources,
    LocalFeeds localFeeds,
    SharedStrings strings,
    IActivityLog activityLog,
    ITimelineStore timelines,
    TimeProvider clock) : Grain, IFeedGrain
{
    private readonly Timeline timeline = new(options.Value.MaxEntries);

    // Created by the first watch: most feeds are never watched, and every active user has one.
    private Dictionary<Guid, DateTimeOffset>? watchers;
    private IAsyncStream<FeedEvent>? liveStream;

    private LocalFeed feed = null!;

    private string UserId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var sources = state.State.Sources;
        var ownSource = SourceId.User(UserId).Key;
        for (var i = 0; i < sources.Count; i++)
        {
            sources[i] = Shared(sources[i], ownSource);
            timeline.AddSource(sources[i]);
        }

        feed = localFeeds.Open(UserId, timeline);
        if (timelines.IsKept)
        {
            var every = options.Value.TimelineSaveInterval;
            this.RegisterGrainTimer(SaveIfChangedAsync, every, every);
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Unregistered before the last save: what is published from now on is caught up from the
        // activity log by the next activation, which reads back to shortly before this save.
        localFeeds.Close(UserId, feed);
        return SaveIfChangedAsync();
    }

    public async Task AddSource(SourceId source, IReadOnlyList<long> recentPostIds)
    {
        // One string for the state, the timeline and every other feed: Key builds a new one at every call.
        var key = Shared(source.Key, SourceId.User(UserId).Key);
        bool added;
        lock (feed.Lock)
        {
            added = timeline.AddSource(key);
            feed.Changed |= timeline.Backfill(key, recentPostIds) > 0;
            Remember(key, recentPostIds);
        }

        if (added)
        {
            state.State.Sources.Add(key);
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveSource(SourceId source)
    {
        var key = source.Key;
        bool removed;
        lock (feed.Lock)
        {
            removed = timeline.RemoveSource(key);
            feed.Changed |= removed;
        }

        if (removed)
        {
            state.State.Sources.Remove(key);
            await state.WriteStateAsync();
        }
    }

    public async Task Deliver(FeedDelivery delivery)
    {
        FeedRef? entry;
        lock (feed.Lock)
        {
            // Before the build, the build brings the post: it was stored before it was delivered.
            entry = feed.IsBuilt ? feed.Accept(delivery.Source.Key, delivery.PostId) : null;
            feed.Changed |= entry is not null;
        }

        if (entry is { } appended && HasWatchers())
        {
            liveStream ??= this.GetStreamProvider(StreamNames.Provider)
                .GetStream<FeedEvent>(StreamId.Create(StreamNames.HomeFeed, this.GetPrimaryKeyString()));
            await liveStream.OnNextAsync(new FeedEvent(appended));
        }
    }

    public async Task<FeedRefPage> ReadBefore(long? before, int count)
    {
        await PrepareForReadAsync();
        lock (feed.Lock)
        {
            return timeline.ReadBefore(before, count);
        }
    }

    public async Task<FeedRefPage> ReadAfter(long after, int count)
    {
        await PrepareForReadAsync();
        lock (feed.Lock)
        {
            return timeline.ReadAfter(after, count);
        }
    }

    /// <summary>Builds the timeline at the first read after activation, then merges the pulled sources.</summary>
    private async Task PrepareForReadAsync()
    {
        if (!feed.IsBuilt)
        {
            feed.BuildStarting();
            try
            {
                if (!await RestoreAsync())
                {
                    await RebuildAsync();
                }
            }
            catch
            {
                feed.BuildFailed();
                throw;
            }
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
            || !snapshot.Sources.ToHashSet(StringComparer.Ordinal).SetEquals(timeline.Sources))
        {
            return false;
        }

        var since = TimeOrderedIdGenerator.FirstIdAt(snapshot.SavedAt - options.Value.TimelineCatchUpMargin);
        var missed = await activityLog.NewestPostsOfAsync(timeline.Sources.ToArray(), since, timeline.Capacity);
        lock (feed.Lock)
        {
            if (!timeline.Restore(snapshot))
            {
                return false;
            }

            for (var i = 0; i < snapshot.PostIds.Length; i++)
            {
                Remember(snapshot.Sources[snapshot.SourceIndexes[i]], snapshot.PostIds[i]);
            }

            for (var i = missed.Count - 1; i >= 0; i--)
            {
                feed.Changed |= timeline.Append(missed[i].SourceKey, missed[i].PostId) is not null;
                Remember(missed[i].SourceKey, missed[i].PostId);
            }

            feed.BuildCompleted();
        }

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

        lock (feed.Lock)
        {
            timeline.Rebuild(sources.Zip(recent));
            foreach (var (source, postIds) in sources.Zip(recent))
            {
                Remember(source, postIds);
            }

            feed.Changed = true;
            feed.BuildCompleted();
        }
    }

    private async Task SaveIfChangedAsync()
    {
        TimelineSnapshot snapshot;
        lock (feed.Lock)
        {
            if (!timelines.IsKept || !feed.Changed || !feed.IsBuilt)
            {
                return;
            }

            feed.Changed = false;
            snapshot = timeline.ToSnapshot(clock.GetUtcNow());
        }

        await timelines.SaveAsync(UserId, snapshot);
    }

    public Task Watch(Guid watcherId, TimeSpan lease)
    {
        (watchers ??= [])[watcherId] = clock.GetUtcNow() + lease;

        // From now on deliveries call this grain, which wakes the watchers. Whatever was appended
        // before is read by the watch, which reads after registering.
        feed.SetWatched(true);
        return Task.CompletedTask;
    }

    public Task Unwatch(Guid watcherId)
    {
        watchers?.Remove(watcherId);
        HasWatchers();
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
            lock (feed.Lock)
            {
                var known = timeline.NewestKnown(source);
                for (var i = recent.Count - 1; i >= 0; i--)
                {
                    if (recent[i] > known)
                    {
                        feed.Changed |= timeline.Append(source, recent[i]) is not null;
                    }
                }

                Remember(source, recent);
            }
        }
    }

    // The user's own source key is theirs alone: sharing it would only add an entry to the table.
    private string Shared(string sourceKey, string ownSource) => sourceKey == ownSource ? sourceKey : strings.Share(sourceKey);

    private void Remember(string source, IReadOnlyList<long> postIds)
    {
        if (postIds.Count > 0)
        {
            Remember(source, postIds.Max());
        }
    }

    private void Remember(string source, long postId) => timeline.Remember(source, postId);

    /// <summary>Drops expired watchers; once none is left, deliveries are appended without calling the grain again.</summary>
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
        feed.SetWatched(false);
        return false;
    }
}
