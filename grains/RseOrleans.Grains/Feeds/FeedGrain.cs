using Microsoft.Extensions.Options;
using Orleans.Streams;
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
/// The home timeline of one user. Only the subscribed sources are persisted; the entries are
/// a cache rebuilt from the sources' recent posts when the grain activates, so a delivery never
/// costs a storage write.
/// </summary>
[GrainType("feed")]
public sealed class FeedGrain(
    [PersistentState("feed", StorageNames.Main)] IPersistentState<FeedState> state,
    IOptions<FeedOptions> options,
    TimeProvider clock) : Grain, IFeedGrain
{
    private readonly Timeline timeline = new(options.Value.MaxEntries);
    private readonly Dictionary<Guid, DateTimeOffset> watchers = [];
    private IAsyncStream<FeedEvent>? liveStream;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var sources = state.State.Sources;
        foreach (var source in sources)
        {
            timeline.AddSource(source);
        }

        var recent = await Task.WhenAll(sources.Select(source =>
            GrainFactory.GetGrain<ISourceGrain>(source).GetRecent(before: null, timeline.Capacity)));
        timeline.Rebuild(sources.Zip(recent));
    }

    public async Task AddSource(SourceId source, IReadOnlyList<long> recentPostIds)
    {
        if (timeline.AddSource(source.Key))
        {
            state.State.Sources.Add(source.Key);
            await state.WriteStateAsync();
        }

        timeline.Backfill(source.Key, recentPostIds);
    }

    public async Task RemoveSource(SourceId source)
    {
        if (timeline.RemoveSource(source.Key))
        {
            state.State.Sources.Remove(source.Key);
            await state.WriteStateAsync();
        }
    }

    public async Task Deliver(FeedDelivery delivery)
    {
        if (timeline.Append(delivery.Source.Key, delivery.PostId) is { } entry && HasWatchers())
        {
            liveStream ??= this.GetStreamProvider(StreamNames.Provider)
                .GetStream<FeedEvent>(StreamId.Create(StreamNames.HomeFeed, this.GetPrimaryKeyString()));
            await liveStream.OnNextAsync(new FeedEvent(entry));
        }
    }

    public Task<FeedRefPage> ReadBefore(long? before, int count) => Task.FromResult(timeline.ReadBefore(before, count));

    public Task<FeedRefPage> ReadAfter(long after, int count) => Task.FromResult(timeline.ReadAfter(after, count));

    public Task Watch(Guid watcherId, TimeSpan lease)
    {
        watchers[watcherId] = clock.GetUtcNow() + lease;
        return Task.CompletedTask;
    }

    public Task Unwatch(Guid watcherId)
    {
        watchers.Remove(watcherId);
        return Task.CompletedTask;
    }

    private bool HasWatchers()
    {
        if (watchers.Count == 0)
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
