using System.Collections.Concurrent;

namespace RseOrleans.Grains.Feeds;

/// <summary>
/// One string per source key on the silo, shared by every feed that follows the source: a feed
/// holds each followed source's key (about 50 bytes) in its state and its timeline, and an
/// executive's 50,000 followers would otherwise each hold a copy. Keys are never released; there
/// are only as many as users and groups that someone in memory on the silo follows.
/// </summary>
public sealed class SourceKeyPool
{
    private readonly ConcurrentDictionary<string, string> keys = new(StringComparer.Ordinal);

    public string Share(string sourceKey) => keys.GetOrAdd(sourceKey, sourceKey);
}
