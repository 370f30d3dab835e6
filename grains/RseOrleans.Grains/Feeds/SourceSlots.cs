using System.Numerics;

namespace RseOrleans.Grains.Feeds;

/// <summary>
/// The sources a home timeline follows, each in a numbered slot that its entries carry, and per
/// slot the newest post of that source the timeline accounts for (its "newest known" mark).
/// </summary>
/// <remarks>
/// The slot is the position in a small array, so most timelines (a handful of sources) carry one
/// array and no dictionary. Not thread-safe: <see cref="HomeTimeline"/> calls it under its lock.
/// </remarks>
internal sealed class SourceSlots
{
    /// <summary>Slots are stored in 16 bits beside unpacked entries.</summary>
    public const int MaxSources = ushort.MaxValue + 1;

    // Up to this many sources a scan of the slot table beats a dictionary, which would cost every
    // active user a few hundred bytes; past it (a user may follow hundreds) lookups on the delivery
    // path need the index.
    private const int IndexedSources = 8;

    // The source key of each slot, null when the slot is free.
    private string?[] sourceBySlot = [];
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
        else if (count > IndexedSources)
        {
            slotIndex = new Dictionary<string, int>(count, StringComparer.Ordinal);
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
        if (count <= IndexedSources)
        {
            slotIndex = null;
        }
        else
        {
            slotIndex?.Remove(sourceKey);
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
