using RseOrleans.Grains.Durability;
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
/// Storage is compact because every active user has one: a ring of cursors (8 bytes) and source
/// slots (2 bytes) that grows by half up to the capacity; the post id is the cursor itself, except
/// for the few entries whose cursor had to move, which a small side map remembers.
/// </remarks>
internal sealed class Timeline(int capacity)
{
    private const int InitialSize = 16;

    private readonly Dictionary<string, int> slotBySource = new(StringComparer.Ordinal);
    private long[] cursors = [];
    private ushort[] slots = [];

    // Per source slot, the newest post this timeline already accounts for: a pulled post newer than
    // it is news and is appended; anything older is history the timeline already has or never kept.
    // Indexed by slot rather than keyed by source string, as every active user's feed has one.
    private long[] newestBySlot = [];
    private int head;
    private int count;

    // Cursor → post id, for the entries whose cursor is not their post id (late deliveries).
    private Dictionary<long, long>? movedPosts;

    public int Count => count;

    public int Capacity => capacity;

    public IReadOnlyCollection<string> Sources => slotBySource.Keys;

    public bool HasSource(string sourceKey) => slotBySource.ContainsKey(sourceKey);

    public bool AddSource(string sourceKey)
    {
        if (slotBySource.ContainsKey(sourceKey))
        {
            return false;
        }

        var slot = FreeSlot();
        if (slot > ushort.MaxValue)
        {
            throw new InvalidOperationException($"A timeline follows at most {ushort.MaxValue + 1} sources.");
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

        Load(Entries().Where(entry => entry.Slot != slot).ToList());
        if (slot < newestBySlot.Length)
        {
            // A source followed again later starts from nothing known, like a new one.
            newestBySlot[slot] = 0;
        }

        return true;
    }

    /// <summary>The newest post of the source this timeline accounts for; 0 when none or not followed.</summary>
    public long NewestKnown(string sourceKey) =>
        slotBySource.TryGetValue(sourceKey, out var slot) && slot < newestBySlot.Length ? newestBySlot[slot] : 0;

    /// <summary>Notes that the timeline accounts for the post of a followed source (ignored otherwise).</summary>
    public void Remember(string sourceKey, long postId)
    {
        if (!slotBySource.TryGetValue(sourceKey, out var slot))
        {
            return;
        }

        if (slot >= newestBySlot.Length)
        {
            Array.Resize(ref newestBySlot, Math.Max(slot + 1, slotBySource.Count));
        }

        newestBySlot[slot] = Math.Max(newestBySlot[slot], postId);
    }

    /// <summary>Appends a newly published post; null when the source is not followed or the post is already here.</summary>
    public FeedRef? Append(string sourceKey, long postId)
    {
        if (!slotBySource.TryGetValue(sourceKey, out var slot) || Contains(postId))
        {
            return null;
        }

        var cursor = count == 0 ? postId : Math.Max(postId, CursorAt(count - 1) + 1);
        if (count == capacity)
        {
            DropOldest();
        }

        EnsureRoom();
        var index = Physical(count);
        cursors[index] = cursor;
        slots[index] = (ushort)slot;
        count++;
        if (cursor != postId)
        {
            (movedPosts ??= []).Add(cursor, postId);
        }

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

        // Rare (a follow or a join): rebuilding the ring is simpler than shifting it.
        var entries = Entries().ToList();
        var added = 0;
        foreach (var postId in postIds)
        {
            if (entries.Exists(entry => entry.PostId == postId))
            {
                continue;
            }

            var index = entries.FindIndex(entry => entry.Cursor >= postId);
            index = index < 0 ? entries.Count : index;
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

        if (added > 0)
        {
            Load(entries.Skip(Math.Max(0, entries.Count - capacity)).ToList());
        }

        return added;
    }

    /// <summary>Replaces the content with the newest posts of the given sources (a rebuild).</summary>
    public void Rebuild(IEnumerable<(string SourceKey, IReadOnlyList<long> PostIds)> sources)
    {
        var all = new List<Entry>();
        foreach (var (sourceKey, postIds) in sources)
        {
            if (slotBySource.TryGetValue(sourceKey, out var slot))
            {
                all.AddRange(postIds.Select(id => new Entry(id, id, slot)));
            }
        }

        all.Sort((a, b) => a.Cursor.CompareTo(b.Cursor));
        var distinct = new List<Entry>(Math.Min(all.Count, capacity));
        foreach (var entry in all.Skip(Math.Max(0, all.Count - capacity)))
        {
            if (distinct.Count == 0 || distinct[^1].Cursor != entry.Cursor)
            {
                distinct.Add(entry);
            }
        }

        Load(distinct);
    }

    /// <summary>The entries and sources as they stand, for saving outside the grain.</summary>
    public TimelineSnapshot ToSnapshot(DateTimeOffset savedAt)
    {
        var sources = slotBySource.Keys.ToArray();
        var indexBySlot = sources.ToDictionary(source => slotBySource[source], source => (ushort)Array.IndexOf(sources, source));
        var snapshot = new TimelineSnapshot(sources, new long[count], new long[count], new ushort[count], savedAt);
        for (var i = 0; i < count; i++)
        {
            snapshot.Cursors[i] = CursorAt(i);
            snapshot.PostIds[i] = PostIdAt(i);
            snapshot.SourceIndexes[i] = indexBySlot[slots[Physical(i)]];
        }

        return snapshot;
    }

    /// <summary>
    /// Takes the entries of a saved snapshot with their cursors, so that readers and watchers
    /// resume exactly where they were. Entries of sources this timeline no longer follows are left
    /// out; returns false, changing nothing, when the snapshot is not well formed.
    /// </summary>
    public bool Restore(TimelineSnapshot snapshot)
    {
        var length = snapshot.Cursors.Length;
        if (snapshot.PostIds.Length != length || snapshot.SourceIndexes.Length != length)
        {
            return false;
        }

        var entries = new List<Entry>(Math.Min(length, capacity));
        for (var i = Math.Max(0, length - capacity); i < length; i++)
        {
            var index = snapshot.SourceIndexes[i];
            if (index >= snapshot.Sources.Length || (entries.Count > 0 && entries[^1].Cursor >= snapshot.Cursors[i]))
            {
                return false;
            }

            if (slotBySource.TryGetValue(snapshot.Sources[index], out var slot))
            {
                entries.Add(new Entry(snapshot.Cursors[i], snapshot.PostIds[i], slot));
            }
        }

        Load(entries);
        return true;
    }

    /// <summary>Newest first, strictly before <paramref name="before"/> when given.</summary>
    public FeedRefPage ReadBefore(long? before, int count)
    {
        var end = before is { } cursor ? LowerBound(cursor) : this.count;
        var start = Math.Max(0, end - count);
        var refs = new FeedRef[end - start];
        for (var i = end - 1; i >= start; i--)
        {
            refs[end - 1 - i] = RefAt(i);
        }

        return new FeedRefPage(refs, start > 0);
    }

    /// <summary>Oldest first, strictly after <paramref name="after"/>.</summary>
    public FeedRefPage ReadAfter(long after, int count)
    {
        var start = LowerBound(after == long.MaxValue ? after : after + 1);
        var end = Math.Min(this.count, start + count);
        var refs = new FeedRef[end - start];
        for (var i = start; i < end; i++)
        {
            refs[i - start] = RefAt(i);
        }

        return new FeedRefPage(refs, end < this.count);
    }

    /// <summary>
    /// Whether the post is here. An entry's cursor is never below its post id minus one (a
    /// backfill may take the value just before), so only the newest entries down to there are read.
    /// </summary>
    private bool Contains(long postId)
    {
        for (var i = count - 1; i >= 0 && CursorAt(i) >= postId - 1; i--)
        {
            if (PostIdAt(i) == postId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Logical index of the first entry whose cursor is at least <paramref name="cursor"/>.</summary>
    private int LowerBound(long cursor)
    {
        int low = 0, high = count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (CursorAt(mid) < cursor)
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

    /// <summary>
    /// The lowest slot no source holds. Derived from the source table when a source is followed (rare)
    /// rather than kept in a second, slot-indexed table that every active feed would carry.
    /// </summary>
    private int FreeSlot()
    {
        var taken = new bool[slotBySource.Count];

        // Over the pairs, not .Values: the dictionary would keep the values view it hands out.
        foreach (var (_, slot) in slotBySource)
        {
            if (slot < taken.Length)
            {
                taken[slot] = true;
            }
        }

        var free = Array.IndexOf(taken, false);
        return free < 0 ? taken.Length : free;
    }

    private int Physical(int logical) => (head + logical) % cursors.Length;

    private long CursorAt(int logical) => cursors[Physical(logical)];

    private long PostIdAt(int logical)
    {
        var cursor = CursorAt(logical);
        return movedPosts is not null && movedPosts.TryGetValue(cursor, out var postId) ? postId : cursor;
    }

    private FeedRef RefAt(int logical) => new(CursorAt(logical), PostIdAt(logical));

    private IEnumerable<Entry> Entries()
    {
        for (var i = 0; i < count; i++)
        {
            yield return new Entry(CursorAt(i), PostIdAt(i), slots[Physical(i)]);
        }
    }

    private void DropOldest()
    {
        movedPosts?.Remove(cursors[head]);
        head = (head + 1) % cursors.Length;
        count--;
    }

    /// <summary>
    /// Grows the ring by half (up to the capacity) when it is full, oldest entry first again: by half
    /// rather than double, since every active user has one and a ring is mostly as full as it gets.
    /// </summary>
    private void EnsureRoom()
    {
        if (count < cursors.Length)
        {
            return;
        }

        var size = Math.Min(capacity, Math.Max(InitialSize, cursors.Length + cursors.Length / 2));
        var newCursors = new long[size];
        var newSlots = new ushort[size];
        for (var i = 0; i < count; i++)
        {
            newCursors[i] = cursors[Physical(i)];
            newSlots[i] = slots[Physical(i)];
        }

        (cursors, slots, head) = (newCursors, newSlots, 0);
    }

    private void Load(IReadOnlyList<Entry> ordered)
    {
        // Room for an eighth more: a loaded timeline (a rebuild, a restore, a follow) takes new posts next.
        var size = ordered.Count == 0 ? 0 : Math.Min(capacity, Math.Max(InitialSize, ordered.Count + ordered.Count / 8));
        cursors = new long[Math.Max(size, ordered.Count)];
        slots = new ushort[cursors.Length];
        movedPosts = null;
        for (var i = 0; i < ordered.Count; i++)
        {
            cursors[i] = ordered[i].Cursor;
            slots[i] = (ushort)ordered[i].Slot;
            if (ordered[i].Cursor != ordered[i].PostId)
            {
                (movedPosts ??= []).Add(ordered[i].Cursor, ordered[i].PostId);
            }
        }

        (head, count) = (0, ordered.Count);
    }

    private readonly record struct Entry(long Cursor, long PostId, int Slot);
}
