using RseOrleans.Model;

namespace RseOrleans.Grains.Feeds;

/// <summary>One timeline entry unpacked: its cursor, its post and the slot of its source.</summary>
internal readonly record struct TimelineEntry(long Cursor, long PostId, int Slot);

/// <summary>
/// A timeline's entries, oldest first in a ring bounded by the capacity, packed into one 64-bit
/// word each. It stores what it is given and decides nothing: which post enters with which cursor
/// is <see cref="HomeTimeline"/>'s rule; cursors given to it only grow.
/// </summary>
/// <remarks>
/// Storage is compact because every active user has one. A word is the entry's cursor's distance
/// from a base the ring picks, shifted left past the few bits its source slot needs. Cursors are
/// 63-bit and one timeline's cursors span far less than that, so the slot fits beside the cursor;
/// only a timeline with very many sources whose entries lie months apart keeps cursors and slots
/// side by side instead (<see cref="WideEntries"/>, 10 bytes an entry), until it is next loaded.
/// The ring grows by half up to the capacity; the post id is the cursor itself, except for the few
/// entries whose cursor had to move, which a small side map remembers. Not thread-safe.
/// A little over 300 lines: the packing, the growth and the search share one invariant and read best together.
/// </remarks>
internal sealed class EntryRing(int capacity)
{
    private const int InitialSize = 16;

    // (cursor - baseCursor) << slotBits | slot. Unused once wide.
    private ulong[] words = [];
    private long baseCursor;
    private byte slotBits;
    private WideEntries? wide;
    private int head;
    private int count;

    // Cursor → post id, for the entries whose cursor is not their post id (late deliveries).
    private Dictionary<long, long>? movedPosts;

    public int Count => count;

    public int Capacity => capacity;

    /// <summary>Whether the entries are kept unpacked (many sources over a long span).</summary>
    public bool IsWide => wide is not null;

    /// <summary>The cursor the packed entries count from.</summary>
    public long EncodingBase => baseCursor;

    /// <summary>The newest entry's cursor; only when there is one.</summary>
    public long NewestCursor => CursorAt(count - 1);

    private int RingLength => wide is null ? words.Length : wide.Length;

    /// <summary>
    /// Whether the post is here. An entry's cursor is never below its post id minus one (history may
    /// take the value just before), so only the newest entries down to there are read.
    /// </summary>
    public bool Contains(long postId)
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

    /// <summary>
    /// Adds an entry after the newest (its cursor must be higher), dropping the oldest when full;
    /// <paramref name="slots"/> says how many slot bits a repacking needs.
    /// </summary>
    public void Append(long cursor, long postId, int slot, SourceSlots slots)
    {
        if (count == capacity)
        {
            DropOldest();
        }

        EnsureRoom();
        if (wide is null && !Fits(cursor, slot))
        {
            Reencode(cursor, slots.BitsNeeded());
        }

        var index = Physical(count);
        if (wide is null)
        {
            words[index] = Pack(cursor, slot);
        }
        else
        {
            wide.Set(index, cursor, slot);
        }

        count++;
        if (cursor != postId)
        {
            (movedPosts ??= []).Add(cursor, postId);
        }
    }

    /// <summary>Newest first, strictly before <paramref name="before"/> when given.</summary>
    public FeedRefPage ReadBefore(long? before, int pageSize)
    {
        var end = before is { } cursor ? LowerBound(cursor) : count;
        var start = Math.Max(0, end - pageSize);
        var refs = new FeedRef[end - start];
        for (var i = end - 1; i >= start; i--)
        {
            refs[end - 1 - i] = RefAt(i);
        }

        return new FeedRefPage(refs, start > 0);
    }

    /// <summary>Oldest first, strictly after <paramref name="after"/>.</summary>
    public FeedRefPage ReadAfter(long after, int pageSize)
    {
        var start = LowerBound(after == long.MaxValue ? after : after + 1);
        var end = Math.Min(count, start + pageSize);
        var refs = new FeedRef[end - start];
        for (var i = start; i < end; i++)
        {
            refs[i - start] = RefAt(i);
        }

        return new FeedRefPage(refs, end < count);
    }

    /// <summary>The entry at a position, 0 being the oldest.</summary>
    public TimelineEntry EntryAt(int logical)
    {
        var cursor = CursorAt(logical);
        return new TimelineEntry(cursor, PostIdOf(cursor), SlotAt(logical));
    }

    /// <summary>Replaces the entries (in cursor order, at most the capacity), packed from the oldest when they fit.</summary>
    public void Load(IReadOnlyList<TimelineEntry> ordered, int bits)
    {
        // Room for an eighth more: a loaded timeline (a rebuild, a restore, a follow) takes new posts next.
        var size = ordered.Count == 0 ? 0 : Math.Min(capacity, Math.Max(InitialSize, ordered.Count + ordered.Count / 8));
        var length = Math.Max(size, ordered.Count);
        var low = ordered.Count == 0 ? 0 : ordered[0].Cursor;
        var high = ordered.Count == 0 ? 0 : ordered[^1].Cursor;
        if (SpanFits(low, high, bits))
        {
            (words, wide, baseCursor, slotBits) = (length == 0 ? [] : new ulong[length], null, low, (byte)bits);
        }
        else
        {
            (words, wide) = ([], new WideEntries(length));
        }

        movedPosts = null;
        for (var i = 0; i < ordered.Count; i++)
        {
            var entry = ordered[i];
            if (wide is null)
            {
                words[i] = Pack(entry.Cursor, entry.Slot);
            }
            else
            {
                wide.Set(i, entry.Cursor, entry.Slot);
            }

            if (entry.Cursor != entry.PostId)
            {
                (movedPosts ??= []).Add(entry.Cursor, entry.PostId);
            }
        }

        (head, count) = (0, ordered.Count);
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
    private void Reencode(long cursor, int bits)
    {
        var low = count == 0 ? cursor : Math.Min(CursorAt(0), cursor);
        var high = count == 0 ? cursor : Math.Max(CursorAt(count - 1), cursor);
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
        var unpacked = new WideEntries(words.Length);
        for (var i = 0; i < count; i++)
        {
            unpacked.Set(Physical(i), CursorAt(i), SlotAt(i));
        }

        (wide, words) = (unpacked, []);
    }

    private int Physical(int logical) => (head + logical) % RingLength;

    private long CursorAt(int logical) =>
        wide is null
            ? baseCursor + (long)(words[(head + logical) % words.Length] >> slotBits)
            : wide.Cursors[(head + logical) % wide.Length];

    private int SlotAt(int logical) =>
        wide is null
            ? (int)(words[(head + logical) % words.Length] & ((1UL << slotBits) - 1))
            : wide.Slots[(head + logical) % wide.Length];

    private long PostIdOf(long cursor) =>
        movedPosts is not null && movedPosts.TryGetValue(cursor, out var postId) ? postId : cursor;

    // One decode per entry read: a page read decodes each packed word once.
    private FeedRef RefAt(int logical)
    {
        var cursor = CursorAt(logical);
        return new(cursor, PostIdOf(cursor));
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
            var grown = new WideEntries(size);
            for (var i = 0; i < count; i++)
            {
                var index = Physical(i);
                grown.Set(i, wide.Cursors[index], wide.Slots[index]);
            }

            wide = grown;
        }

        head = 0;
    }
}
