using RseOrleans.Model;

namespace RseOrleans.Grains.Feeds;

/// <summary>
/// The in-memory home timeline: post references ordered by cursor, bounded in size, each tagged
/// with the slot of the source it came from so that a whole source can be dropped at once.
/// </summary>
/// <remarks>
/// A cursor is the post id (time-ordered) unless a delivery arrives after a newer one: then it
/// takes the next value after the newest cursor. Cursors therefore only grow in delivery order,
/// which is what lets a reader page backwards and a watcher resume forwards with no gap and no
/// duplicate while posts keep arriving.
/// </remarks>
internal sealed class Timeline(int capacity)
{
    private readonly List<Entry> entries = [];
    private readonly Dictionary<string, int> slotBySource = new(StringComparer.Ordinal);
    private readonly List<string?> sourceBySlot = [];

    public int Count => entries.Count;

    public int Capacity => capacity;

    public IReadOnlyCollection<string> Sources => slotBySource.Keys;

    public bool HasSource(string sourceKey) => slotBySource.ContainsKey(sourceKey);

    public bool AddSource(string sourceKey)
    {
        if (slotBySource.ContainsKey(sourceKey))
        {
            return false;
        }

        var slot = sourceBySlot.IndexOf(null);
        if (slot < 0)
        {
            slot = sourceBySlot.Count;
            sourceBySlot.Add(sourceKey);
        }
        else
        {
            sourceBySlot[slot] = sourceKey;
        }

        slotBySource.Add(sourceKey, slot);
        return true;
    }

    public bool RemoveSource(string sourceKey)
    {
        if (!slotBySource.Remove(sourceKey, out var slot))
        {
            return false;
        }

        entries.RemoveAll(entry => entry.Slot == slot);
        sourceBySlot[slot] = null;
        return true;
    }

    /// <summary>Appends a newly published post; null when the source is not followed or the post is already here.</summary>
    public FeedRef? Append(string sourceKey, long postId)
    {
        if (!slotBySource.TryGetValue(sourceKey, out var slot) || Contains(postId))
        {
            return null;
        }

        var cursor = entries.Count == 0 ? postId : Math.Max(postId, entries[^1].Cursor + 1);
        entries.Add(new Entry(cursor, postId, slot));
        TrimToCapacity();
        return new FeedRef(cursor, postId);
    }

    /// <summary>
    /// Places older posts of a source at their own time (used when a source is followed):
    /// they are history, not news, so they never appear after a reader's cursor.
    /// </summary>
    public int Backfill(string sourceKey, IEnumerable<long> postIds)
    {
        if (!slotBySource.TryGetValue(sourceKey, out var slot))
        {
            return 0;
        }

        var added = 0;
        foreach (var postId in postIds)
        {
            if (Contains(postId))
            {
                continue;
            }

            var index = LowerBound(postId);
            var cursor = postId;
            if (index < entries.Count && entries[index].Cursor == postId)
            {
                // A late delivery already took this value as its cursor; take the one just before.
                cursor = postId - 1;
                if (index > 0 && entries[index - 1].Cursor >= cursor)
                {
                    continue;
                }
            }

            if (entries.Count >= capacity && index == 0)
            {
                continue;
            }

            entries.Insert(index, new Entry(cursor, postId, slot));
            added++;
        }

        TrimToCapacity();
        return added;
    }

    /// <summary>Replaces the content with the newest posts of the given sources (a rebuild).</summary>
    public void Rebuild(IEnumerable<(string SourceKey, IReadOnlyList<long> PostIds)> sources)
    {
        entries.Clear();
        var all = new List<Entry>();
        foreach (var (sourceKey, postIds) in sources)
        {
            if (slotBySource.TryGetValue(sourceKey, out var slot))
            {
                all.AddRange(postIds.Select(id => new Entry(id, id, slot)));
            }
        }

        all.Sort((a, b) => a.Cursor.CompareTo(b.Cursor));
        long previous = long.MinValue;
        foreach (var entry in all.Skip(Math.Max(0, all.Count - capacity)))
        {
            if (entry.Cursor != previous)
            {
                entries.Add(entry);
                previous = entry.Cursor;
            }
        }
    }

    /// <summary>Newest first, strictly before <paramref name="before"/> when given.</summary>
    public FeedRefPage ReadBefore(long? before, int count)
    {
        var end = before is { } cursor ? LowerBound(cursor) : entries.Count;
        var start = Math.Max(0, end - count);
        var refs = new FeedRef[end - start];
        for (var i = end - 1; i >= start; i--)
        {
            refs[end - 1 - i] = entries[i].ToRef();
        }

        return new FeedRefPage(refs, start > 0);
    }

    /// <summary>Oldest first, strictly after <paramref name="after"/>.</summary>
    public FeedRefPage ReadAfter(long after, int count)
    {
        var start = LowerBound(after == long.MaxValue ? after : after + 1);
        var end = Math.Min(entries.Count, start + count);
        var refs = new FeedRef[end - start];
        for (var i = start; i < end; i++)
        {
            refs[i - start] = entries[i].ToRef();
        }

        return new FeedRefPage(refs, end < entries.Count);
    }

    private bool Contains(long postId)
    {
        // Duplicates come from retried deliveries of recent posts: look from the newest end.
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (entries[i].PostId == postId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Index of the first entry whose cursor is at least <paramref name="cursor"/>.</summary>
    private int LowerBound(long cursor)
    {
        int low = 0, high = entries.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (entries[mid].Cursor < cursor)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private void TrimToCapacity()
    {
        if (entries.Count > capacity)
        {
            entries.RemoveRange(0, entries.Count - capacity);
        }
    }

    private readonly record struct Entry(long Cursor, long PostId, int Slot)
    {
        public FeedRef ToRef() => new(Cursor, PostId);
    }
}
