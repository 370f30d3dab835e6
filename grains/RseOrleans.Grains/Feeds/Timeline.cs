using System.Numerics;
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
/// Storage is compact because every active user has one. An entry is a single 64-bit word: its
/// cursor's distance from a base the timeline picks, shifted left past the few bits its source slot
/// needs. Cursors are 63-bit and one timeline's cursors span far less than that, so the slot fits
/// beside the cursor; only a timeline with very many sources whose entries lie months apart keeps
/// cursors and slots side by side instead (10 bytes an entry), until its next rebuild. The ring grows
/// by half up to the capacity; the post id is the cursor itself, except for the few entries whose
/// cursor had to move, which a small side map remembers.
/// </remarks>
internal sealed class Timeline(int capacity)
{
    private const int InitialSize = 16;

    // Up to this many sources a scan of the slot table beats a dictionary, which would cost every
    // active user a few hundred bytes; past it (a user may follow hundreds) Append and HasSource, on
    // the delivery path, need the index.
    private const int IndexedSources = 8;

    // The source key of each slot, null when the slot is free: the slot is the position, so most
    // timelines (a handful of sources) carry one small array and no dictionary.
    private string?[] sourceBySlot = [];
    private Dictionary<string, int>? slotIndex;
    private int sourceCount;

    // The ring of packed entries: (cursor - baseCursor) << slotBits | slot. Unused once wide.
    private ulong[] words = [];
    private long baseCursor;
    private byte slotBits;
    private WideRing? wide;

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

    /// <summary>The followed source keys, as they stand when read.</summary>
    public IReadOnlyCollection<string> Sources
    {
        get
        {
            var sources = new string[sourceCount];
            var next = 0;
            foreach (var sourceKey in sourceBySlot)
            {
                if (sourceKey is not null)
                {
                    sources[next++] = sourceKey;
                }
            }

            return sources;
        }
    }

    /// <summary>Whether the entries are kept unpacked (many sources over a long span); for tests.</summary>
    internal bool IsWide => wide is not null;

    /// <summary>The cursor the packed entries count from; for tests.</summary>
    internal long EncodingBase => baseCursor;

    public bool HasSource(string sourceKey) => SlotOf(sourceKey) >= 0;

    public bool AddSource(string sourceKey)
    {
        if (SlotOf(sourceKey) >= 0)
        {
            return false;
        }

        var slot = Array.IndexOf(sourceBySlot, null);
        if (slot < 0)
        {
            slot = sourceBySlot.Length;
            if (slot > ushort.MaxValue)
            {
                throw new InvalidOperationException($"A timeline follows at most {ushort.MaxValue + 1} sources.");
            }

            // By half, as a user follows one source at a time and most follow few.
            Array.Resize(ref sourceBySlot, Math.Min(ushort.MaxValue + 1, Math.Max(slot + 1, slot + slot / 2)));
        }

        sourceBySlot[slot] = sourceKey;
        sourceCount++;
        if (slotIndex is not null)
        {
            slotIndex.Add(sourceKey, slot);
        }
        else if (sourceCount > IndexedSources)
        {
            slotIndex = new Dictionary<string, int>(sourceCount, StringComparer.Ordinal);
            for (var i = 0; i < sourceBySlot.Length; i++)
            {
                if (sourceBySlot[i] is { } key)
                {
                    slotIndex.Add(key, i);
                }
            }
        }

        return true;
    }

    public bool RemoveSource(string sourceKey)
    {
        var slot = SlotOf(sourceKey);
        if (slot < 0)
        {
            return false;
        }

        sourceBySlot[slot] = null;
        sourceCount--;
        if (sourceCount <= IndexedSources)
        {
            slotIndex = null;
        }
        else
        {
            slotIndex?.Remove(sourceKey);
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
    public long NewestKnown(string sourceKey)
    {
        var slot = SlotOf(sourceKey);
        return slot >= 0 && slot < newestBySlot.Length ? newestBySlot[slot] : 0;
    }

    /// <summary>Notes that the timeline accounts for the post of a followed source (ignored otherwise).</summary>
    public void Remember(string sourceKey, long postId)
    {
        var slot = SlotOf(sourceKey);
        if (slot < 0)
        {
            return;
        }

        if (slot >= newestBySlot.Length)
        {
            Array.Resize(ref newestBySlot, Math.Max(slot + 1, sourceCount));
        }

        newestBySlot[slot] = Math.Max(newestBySlot[slot], postId);
    }

    /// <summary>Appends a newly published post; null when the source is not followed or the post is already here.</summary>
    public FeedRef? Append(string sourceKey, long postId)
    {
        var slot = SlotOf(sourceKey);
        if (slot < 0 || Contains(postId))
        {
            return null;
        }

        var cursor = count == 0 ? postId : Math.Max(postId, CursorAt(count - 1) + 1);
        if (count == capacity)
        {
            DropOldest();
        }

        EnsureRoom();
        if (wide is null && !Fits(cursor, slot))
        {
            Reencode(cursor);
        }

        var index = Physical(count);
        if (wide is null)
        {
            words[index] = Pack(cursor, slot);
        }
        else
        {
            wide.Cursors[index] = cursor;
            wide.Slots[index] = (ushort)slot;
        }

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
        var slot = SlotOf(sourceKey);
        if (slot < 0)
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
            var slot = SlotOf(sourceKey);
            if (slot >= 0)
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
        var sources = new string[sourceCount];
        var indexBySlot = new ushort[sourceBySlot.Length];
        var next = 0;
        for (var slot = 0; slot < sourceBySlot.Length; slot++)
        {
            if (sourceBySlot[slot] is { } sourceKey)
            {
                indexBySlot[slot] = (ushort)next;
                sources[next++] = sourceKey;
            }
        }

        var snapshot = new TimelineSnapshot(sources, new long[count], new long[count], new ushort[count], savedAt);
        for (var i = 0; i < count; i++)
        {
            snapshot.Cursors[i] = CursorAt(i);
            snapshot.PostIds[i] = PostIdAt(i);
            snapshot.SourceIndexes[i] = indexBySlot[SlotAt(i)];
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

        // Each saved source looked up once, not once per entry.
        var slotByIndex = new int[snapshot.Sources.Length];
        for (var i = 0; i < slotByIndex.Length; i++)
        {
            slotByIndex[i] = snapshot.Sources[i] is { } sourceKey ? SlotOf(sourceKey) : -1;
        }

        var entries = new List<Entry>(Math.Min(length, capacity));
        for (var i = Math.Max(0, length - capacity); i < length; i++)
        {
            var index = snapshot.SourceIndexes[i];
            if (index >= snapshot.Sources.Length || (entries.Count > 0 && entries[^1].Cursor >= snapshot.Cursors[i]))
            {
                return false;
            }

            if (slotByIndex[index] >= 0)
            {
                entries.Add(new Entry(snapshot.Cursors[i], snapshot.PostIds[i], slotByIndex[index]));
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
        for (var i = count - 1; i >= 0; i--)
        {
            var cursor = CursorAt(i);
            if (cursor < postId - 1)
            {
                break;
            }

            if (PostIdOf(cursor) == postId)
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
    /// The slot of a followed source, or -1. Scanned while the table is short; references first, as
    /// callers mostly pass the very string the table holds (one instance per source across feeds).
    /// </summary>
    private int SlotOf(string sourceKey)
    {
        ArgumentNullException.ThrowIfNull(sourceKey);
        if (slotIndex is not null)
        {
            return slotIndex.TryGetValue(sourceKey, out var indexed) ? indexed : -1;
        }

        var table = sourceBySlot;
        for (var slot = 0; slot < table.Length; slot++)
        {
            if (ReferenceEquals(table[slot], sourceKey))
            {
                return slot;
            }
        }

        for (var slot = 0; slot < table.Length; slot++)
        {
            if (string.Equals(table[slot], sourceKey, StringComparison.Ordinal))
            {
                return slot;
            }
        }

        return -1;
    }

    /// <summary>The bits a slot needs beside the cursor: enough for the highest slot any source holds.</summary>
    private int SlotBitsNeeded()
    {
        var highest = sourceBySlot.Length - 1;
        while (highest > 0 && sourceBySlot[highest] is null)
        {
            highest--;
        }

        return highest <= 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)highest);
    }

    /// <summary>Whether cursors from <paramref name="low"/> to <paramref name="high"/> fit beside that many slot bits.</summary>
    private static bool SpanFits(long low, long high, int bits) =>
        high >= low && ((ulong)(high - low) >> 1 >> (63 - bits)) == 0;

    private bool Fits(long cursor, int slot) =>
        ((uint)slot >> slotBits) == 0 && SpanFits(baseCursor, cursor, slotBits);

    private ulong Pack(long cursor, int slot) => ((ulong)(cursor - baseCursor) << slotBits) | (uint)slot;

    /// <summary>
    /// Packs the entries again, in place, from the oldest cursor (or <paramref name="cursor"/>, about
    /// to be appended) with room for every slot; unpacks them when even that does not fit. Rare: it
    /// takes a source slot needing one more bit, or an append past the span the base leaves room for.
    /// </summary>
    private void Reencode(long cursor)
    {
        var low = count == 0 ? cursor : Math.Min(CursorAt(0), cursor);
        var high = count == 0 ? cursor : Math.Max(CursorAt(count - 1), cursor);
        var bits = SlotBitsNeeded();
        if (!SpanFits(low, high, bits))
        {
            Unpack();
            return;
        }

        var slotMask = (1UL << slotBits) - 1;
        for (var i = 0; i < count; i++)
        {
            var index = Physical(i);
            var word = words[index];
            var entryCursor = baseCursor + (long)(word >> slotBits);
            words[index] = ((ulong)(entryCursor - low) << bits) | (word & slotMask);
        }

        (baseCursor, slotBits) = (low, (byte)bits);
    }

    private void Unpack()
    {
        var length = words.Length;
        var unpacked = new WideRing(new long[length], new ushort[length]);
        for (var i = 0; i < count; i++)
        {
            var index = Physical(i);
            unpacked.Cursors[index] = CursorAt(i);
            unpacked.Slots[index] = (ushort)SlotAt(i);
        }

        (wide, words) = (unpacked, []);
    }

    private int RingLength => wide is null ? words.Length : wide.Cursors.Length;

    private int Physical(int logical) => (head + logical) % RingLength;

    private long CursorAt(int logical) =>
        wide is null
            ? baseCursor + (long)(words[(head + logical) % words.Length] >> slotBits)
            : wide.Cursors[(head + logical) % wide.Cursors.Length];

    private int SlotAt(int logical) =>
        wide is null
            ? (int)(words[(head + logical) % words.Length] & ((1UL << slotBits) - 1))
            : wide.Slots[(head + logical) % wide.Slots.Length];

    private long PostIdAt(int logical) => PostIdOf(CursorAt(logical));

    private long PostIdOf(long cursor) =>
        movedPosts is not null && movedPosts.TryGetValue(cursor, out var postId) ? postId : cursor;

    // One decode per entry read: a page read decodes each packed word once.
    private FeedRef RefAt(int logical)
    {
        var cursor = CursorAt(logical);
        return new(cursor, PostIdOf(cursor));
    }

    private IEnumerable<Entry> Entries()
    {
        for (var i = 0; i < count; i++)
        {
            var cursor = CursorAt(i);
            yield return new Entry(cursor, PostIdOf(cursor), SlotAt(i));
        }
    }

    private void DropOldest()
    {
        movedPosts?.Remove(CursorAt(0));
        head = (head + 1) % RingLength;
        count--;
    }

    /// <summary>
    /// Grows the ring by half (up to the capacity) when it is full, oldest entry first again: by half
    /// rather than double, since every active user has one and a ring is mostly as full as it gets.
    /// </summary>
    private void EnsureRoom()
    {
        var length = RingLength;
        if (count < length)
        {
            return;
        }

        var size = Math.Min(capacity, Math.Max(InitialSize, length + length / 2));
        if (wide is null)
        {
            var grown = new ulong[size];
            for (var i = 0; i < count; i++)
            {
                grown[i] = words[Physical(i)];
            }

            words = grown;
        }
        else
        {
            var grown = new WideRing(new long[size], new ushort[size]);
            for (var i = 0; i < count; i++)
            {
                grown.Cursors[i] = wide.Cursors[Physical(i)];
                grown.Slots[i] = wide.Slots[Physical(i)];
            }

            wide = grown;
        }

        head = 0;
    }

    /// <summary>Replaces the entries (in cursor order), packed from the oldest when they fit.</summary>
    private void Load(IReadOnlyList<Entry> ordered)
    {
        // Room for an eighth more: a loaded timeline (a rebuild, a restore, a follow) takes new posts next.
        var size = ordered.Count == 0 ? 0 : Math.Min(capacity, Math.Max(InitialSize, ordered.Count + ordered.Count / 8));
        var length = Math.Max(size, ordered.Count);
        var low = ordered.Count == 0 ? 0 : ordered[0].Cursor;
        var high = ordered.Count == 0 ? 0 : ordered[^1].Cursor;
        var bits = SlotBitsNeeded();
        if (SpanFits(low, high, bits))
        {
            (words, wide, baseCursor, slotBits) = (new ulong[length], null, low, (byte)bits);
        }
        else
        {
            (words, wide) = ([], new WideRing(new long[length], new ushort[length]));
        }

        movedPosts = null;
        for (var i = 0; i < ordered.Count; i++)
        {
            if (wide is null)
            {
                words[i] = Pack(ordered[i].Cursor, ordered[i].Slot);
            }
            else
            {
                wide.Cursors[i] = ordered[i].Cursor;
                wide.Slots[i] = (ushort)ordered[i].Slot;
            }

            if (ordered[i].Cursor != ordered[i].PostId)
            {
                (movedPosts ??= []).Add(ordered[i].Cursor, ordered[i].PostId);
            }
        }

        (head, count) = (0, ordered.Count);
    }

    private readonly record struct Entry(long Cursor, long PostId, int Slot);

    /// <summary>Cursors and slots side by side, for the rare timeline whose entries do not pack.</summary>
    private sealed class WideRing(long[] cursors, ushort[] slots)
    {
        public long[] Cursors { get; } = cursors;

        public ushort[] Slots { get; } = slots;
    }
}
