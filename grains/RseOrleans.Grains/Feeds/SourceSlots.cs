using System.Numerics;

namespace RseOrleans.Grains.Feeds;

/// <summary>
/// The sources a home timeline follows, each in a numbered slot that its entries carry, and per
/// slot the newest post of that source the timeline accounts for (its "newest known" mark).
/// </summary>
/// <remarks>
/// The slot is the position in a small array, so most timelines (a handful of sources) carry one
/// array and no dictionary; a typical active user's few dozen sources add an array of their hash
/// codes (4 bytes a slot, where a dictionary cost about 60), and only a timeline following hundreds
/// keeps a dictionary. Not thread-safe: <see cref="HomeTimeline"/> calls it under its lock.
/// </remarks>
internal sealed class SourceSlots
{
    /// <summary>Slots are stored in 16 bits beside unpacked entries.</summary>
    public const int MaxSources = ushort.MaxValue + 1;

    // Up to this many sources a scan of the slot table beats any index. Deliveries pass a key of
    // their own (not the table's instance), so past it a scan compares hash codes, not strings.
    private const int ScannedSources = 8;

    // Up to this many sources a vectorized scan of the hash codes costs about what a dictionary's
    // lookup does, and a dictionary would cost a typical active user (20 people, 3 groups) about
    // 1.4 KB; past it (a user may follow thousands) lookups on the delivery path need the index.
    private const int HashedSources = 256;

    // The source key of each slot, null when the slot is free.
    private string?[] sourceBySlot = [];

    // The hash code of each slot's key (0 when free), beside sourceBySlot, past ScannedSources.
    private int[]? hashBySlot;
    private Dictionary<string, int>? slotIndex;
    private int count;

    // Indexed by slot rather than keyed by source string, as every active user's feed has one.
    private long[] newestBySlot = [];

    public int Count => count;

    /// <summary>The slot table's length: every slot in use is below it.</summary>
    public int Length => sourceBySlot.Length;

    /// <summary>The source key of a slot; null when it is free.</summary>
    public string? this[int slot] => sourceBySlot[slot];

    /// <summary>The followed source keys, as they stand when read.</summary>
    public string[] Keys()
    {
        var keys = new string[count];
        var next = 0;
        foreach (var sourceKey in sourceBySlot)
        {
            if (sourceKey is not null)
            {
                keys[next++] = sourceKey;
            }
        }

        return keys;
    }

    /// <summary>The slot of the source, a free one when it is new; false when it was followed already.</summary>
    public bool Add(string sourceKey, out int slot)
    {
        slot = SlotOf(sourceKey);
        if (slot >= 0)
        {
            return false;
        }

        slot = Array.IndexOf(sourceBySlot, null);
        if (slot < 0)
        {
            slot = sourceBySlot.Length;
            if (slot >= MaxSources)
            {
                throw new InvalidOperationException($"A timeline follows at most {MaxSources} sources.");
            }

            // By half, as a user follows one source at a time and most follow few.
            Array.Resize(ref sourceBySlot, Math.Min(MaxSources, Math.Max(slot + 1, slot + slot / 2)));
        }

        sourceBySlot[slot] = sourceKey;
        count++;
        if (slotIndex is not null)
        {
            slotIndex.Add(sourceKey, slot);
        }
        else if (count > HashedSources)
        {
            var index = slotIndex = new Dictionary<string, int>(count, StringComparer.Ordinal);
            hashBySlot = null;
            ForEachSlot((key, i) => index.Add(key, i));
        }
        else if (hashBySlot is not null)
        {
            if (hashBySlot.Length < sourceBySlot.Length)
            {
                Array.Resize(ref hashBySlot, sourceBySlot.Length);
            }

            hashBySlot[slot] = Hash(sourceKey);
        }
        else if (count > ScannedSources)
        {
            var hashes = hashBySlot = new int[sourceBySlot.Length];
            ForEachSlot((key, i) => hashes[i] = Hash(key));
        }

        return true;
    }

    private void ForEachSlot(Action<string, int> action)
    {
        for (var i = 0; i < sourceBySlot.Length; i++)
        {
            if (sourceBySlot[i] is { } key)
            {
                action(key, i);
            }
        }
    }

    private static int Hash(string sourceKey) => string.GetHashCode(sourceKey, StringComparison.Ordinal);

    /// <summary>Frees the source's slot; -1 when it was not followed.</summary>
    public int Remove(string sourceKey)
    {
        var slot = SlotOf(sourceKey);
        if (slot < 0)
        {
            return -1;
        }

        sourceBySlot[slot] = null;
        count--;
        if (count <= ScannedSources)
        {
            (slotIndex, hashBySlot) = (null, null);
        }
        else
        {
            slotIndex?.Remove(sourceKey);
            if (hashBySlot is not null)
            {
                hashBySlot[slot] = 0;
            }
        }

        if (slot < newestBySlot.Length)
        {
            // A source followed again later starts from nothing known, like a new one.
            newestBySlot[slot] = 0;
        }

        return slot;
    }

    /// <summary>
    /// The slot of a followed source, or -1. Scanned while the table is short; references first, as
    /// callers mostly pass the very string the table holds (one instance per source across feeds).
    /// </summary>
    public int SlotOf(string sourceKey)
    {
        ArgumentNullException.ThrowIfNull(sourceKey);
        if (slotIndex is not null)
        {
            return slotIndex.TryGetValue(sourceKey, out var indexed) ? indexed : -1;
        }

        var table = sourceBySlot;
        if (hashBySlot is { } hashes)
        {
            // Equal hash codes are checked by the strings themselves: a collision scans on.
            var hash = Hash(sourceKey);
            for (var slot = Array.IndexOf(hashes, hash); slot >= 0; slot = Array.IndexOf(hashes, hash, slot + 1))
            {
                if (string.Equals(table[slot], sourceKey, StringComparison.Ordinal))
                {
                    return slot;
                }
            }

            return -1;
        }

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

    /// <summary>The newest post of the slot's source the timeline accounts for; 0 when none.</summary>
    public long NewestKnown(int slot) => slot < newestBySlot.Length ? newestBySlot[slot] : 0;

    /// <summary>Notes that the timeline accounts for a post of the slot's source.</summary>
    public void Raise(int slot, long postId)
    {
        if (slot >= newestBySlot.Length)
        {
            Array.Resize(ref newestBySlot, Math.Max(slot + 1, count));
        }

        if (postId > newestBySlot[slot])
        {
            newestBySlot[slot] = postId;
        }
    }

    /// <summary>The bits an entry needs for its slot: enough for the highest slot any source holds.</summary>
    public int BitsNeeded()
    {
        var highest = sourceBySlot.Length - 1;
        while (highest > 0 && sourceBySlot[highest] is null)
        {
            highest--;
        }

        return highest <= 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)highest);
    }
}
