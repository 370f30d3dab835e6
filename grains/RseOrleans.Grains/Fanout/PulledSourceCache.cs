using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace RseOrleans.Grains.Fanout;

/// <summary>
/// Per-silo cache of the pulled sources and of their newest post ids. A home-feed read merges
/// the pulled sources it follows from here, so its cost does not grow with their audience, and a
/// source is asked at most once per refresh interval per silo however many of its followers read.
/// </summary>
public sealed class PulledSourceCache(IGrainFactory grains, IOptions<FeedOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Entry<IReadOnlyList<long>>> recentBySource = new(StringComparer.Ordinal);
    private Entry<HashSet<string>>? registry;

    /// <summary>The keys of every source the cluster currently pulls instead of pushing.</summary>
    public async Task<HashSet<string>> GetPulledSourcesAsync()
    {
        var current = registry;
        if (current is null || IsStale(current.FetchedAt))
        {
            var fetched = await grains.GetGrain<IPullRegistryGrain>(0).GetPulledSources();
            current = new Entry<HashSet<string>>(clock.GetUtcNow(), new HashSet<string>(fetched, StringComparer.Ordinal));
            registry = current;
        }

        return current.Value;
    }

    /// <summary>
    /// The source's newest post ids, newest first, as many as a feed keeps: a reader who last read
    /// before a burst must find the whole burst here, not only its newest posts.
    /// </summary>
    public async Task<IReadOnlyList<long>> GetRecentAsync(string sourceKey)
    {
        if (!recentBySource.TryGetValue(sourceKey, out var current) || IsStale(current.FetchedAt))
        {
            var recent = await grains.GetGrain<ISourceGrain>(sourceKey).GetRecent(before: null, options.Value.MaxEntries);
            current = new Entry<IReadOnlyList<long>>(clock.GetUtcNow(), recent);
            recentBySource[sourceKey] = current;
        }

        return current.Value;
    }

    private bool IsStale(DateTimeOffset fetchedAt) => clock.GetUtcNow() - fetchedAt >= options.Value.PullRefreshInterval;

    private sealed record Entry<T>(DateTimeOffset FetchedAt, T Value);
}
