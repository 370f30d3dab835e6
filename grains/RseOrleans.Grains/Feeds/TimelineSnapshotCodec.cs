using RseOrleans.Grains.Durability;

namespace RseOrleans.Grains.Feeds;

/// <summary>
/// Turns a timeline into the snapshot a <see cref="ITimelineStore"/> keeps, and a kept snapshot back
/// into posts for <see cref="HomeTimeline"/>'s merge, with the cursors readers already hold.
/// </summary>
internal static class TimelineSnapshotCodec
{
    /// <summary>The entries and sources as they stand.</summary>
    public static TimelineSnapshot Encode(SourceSlots slots, EntryRing ring, DateTimeOffset savedAt)
    {
        var sources = new string[slots.Count];
        var indexBySlot = new ushort[slots.Length];
        var next = 0;
        for (var slot = 0; slot < slots.Length; slot++)
        {
            if (slots[slot] is { } sourceKey)
            {
                indexBySlot[slot] = (ushort)next;
                sources[next++] = sourceKey;
            }
        }

        var count = ring.Count;
        var snapshot = new TimelineSnapshot(sources, new long[count], new long[count], new ushort[count], savedAt);
        for (var i = 0; i < count; i++)
        {
            var entry = ring.EntryAt(i);
            snapshot.Cursors[i] = entry.Cursor;
            snapshot.PostIds[i] = entry.PostId;
            snapshot.SourceIndexes[i] = indexBySlot[entry.Slot];
        }

        return snapshot;
    }

    /// <summary>
    /// Whether the snapshot can stand for a timeline following <paramref name="slots"/>: the same
    /// sources (a follow or an unfollow since it was saved means a rebuild), and well formed: one
    /// source per entry and cursors strictly growing, as a merge keeps them.
    /// </summary>
    public static bool CanRestore(TimelineSnapshot snapshot, SourceSlots slots)
    {
        var length = snapshot.Cursors.Length;
        if (snapshot.PostIds.Length != length || snapshot.SourceIndexes.Length != length
            || !snapshot.Sources.ToHashSet(StringComparer.Ordinal).SetEquals(slots.Keys()))
        {
            return false;
        }

        for (var i = 0; i < length; i++)
        {
            if (snapshot.SourceIndexes[i] >= snapshot.Sources.Length || (i > 0 && snapshot.Cursors[i - 1] >= snapshot.Cursors[i]))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A snapshot's entries as posts to merge, oldest first.</summary>
internal readonly struct SavedPosts(TimelineSnapshot snapshot) : IIncomingPosts
{
    public int Count => snapshot.Cursors.Length;

    public string SourceAt(int index) => snapshot.Sources[snapshot.SourceIndexes[index]];

    public long PostIdAt(int index) => snapshot.PostIds[index];

    public long SavedCursorAt(int index) => snapshot.Cursors[index];
}
