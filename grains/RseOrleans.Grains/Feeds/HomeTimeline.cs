using RseOrleans.Grains.Durability;
using RseOrleans.Model;

namespace RseOrleans.Grains.Feeds;

/// <summary>
/// A user's home timeline and all of its state: the followed sources, the entries, whether it is
/// built, watched, changed since saved, and the posts delivered while a build reads. Its feed grain
/// and its silo's delivery service only call its methods; it takes its own lock in each, never across
/// an await, so a delivery from outside the grain is one uncontended lock and an append.
/// </summary>
/// <remarks>
/// Every post enters through one merge, whatever its route (HomeTimeline.Merge.cs holds the rule).
/// Until built (at the first read after activation) deliveries are skipped: the build reads the
/// sources, where every post is stored before it is fanned out. Those that arrive while the build
/// reads are kept and merged once it is done. A little over 300 lines because every public method
/// takes the lock itself: the lock discipline is visible in one file.
/// </remarks>
internal sealed partial class HomeTimeline(int capacity) : ISavableTimeline
{
    private readonly SourceSlots slots = new();

    // The ring never leaves this type, so it serves as the lock without costing every feed an object.
    private readonly EntryRing ring = new(capacity);
    private BuildState state;
    private bool watched;
    private bool changed;
    private List<SourcePost>? arrivedWhileBuilding;

    private enum BuildState : byte
    {
        Unbuilt,
        Building,
        Built,
    }

    public int Capacity => ring.Capacity;

    public bool IsBuilt => state == BuildState.Built;

    public int Count
    {
        get
        {
            lock (ring)
            {
                return ring.Count;
            }
        }
    }

    /// <summary>The followed source keys, as they stand when read.</summary>
    public string[] Sources
    {
        get
        {
            lock (ring)
            {
                return slots.Keys();
            }
        }
    }

    /// <summary>Whether the entries are kept unpacked; for tests.</summary>
    internal bool IsWide => ring.IsWide;

    /// <summary>The cursor the packed entries count from; for tests.</summary>
    internal long EncodingBase => ring.EncodingBase;

    public bool HasSource(string sourceKey)
    {
        lock (ring)
        {
            return slots.SlotOf(sourceKey) >= 0;
        }
    }

    /// <summary>The newest post of the source this timeline accounts for; 0 when none or not followed.</summary>
    public long NewestKnown(string sourceKey)
    {
        lock (ring)
        {
            var slot = slots.SlotOf(sourceKey);
            return slot < 0 ? 0 : slots.NewestKnown(slot);
        }
    }

    /// <summary>Follows a source (false when it was followed already) and merges its recent posts as history.</summary>
    public bool Follow(string sourceKey, IReadOnlyList<long> recentNewestFirst)
    {
        lock (ring)
        {
            var added = slots.Add(sourceKey, out _);
            Merge(new OneSourcePosts(sourceKey, recentNewestFirst), Arrival.History, out _);
            return added;
        }
    }

    /// <summary>Unfollows a source and drops all of its entries at once; false when it was not followed.</summary>
    public bool Unfollow(string sourceKey)
    {
        lock (ring)
        {
            var slot = slots.Remove(sourceKey);
            if (slot < 0)
            {
                return false;
            }

            var kept = new List<TimelineEntry>(ring.Count);
            for (var i = 0; i < ring.Count; i++)
            {
                var entry = ring.EntryAt(i);
                if (entry.Slot != slot)
                {
                    kept.Add(entry);
                }
            }

            ring.Load(kept, slots.BitsNeeded());
            changed = true;
            return true;
        }
    }

    /// <summary>
    /// A post delivered by the silo's delivery service, outside the grain. False, taking nothing, when
    /// the feed is watched: its watchers must be woken now, which takes a turn of the grain, so the
    /// caller delivers by calling it. Under the lock, so that a post is either here before a watch
    /// reads it, or announced to the watch.
    /// </summary>
    public bool Offer(string sourceKey, long postId)
    {
        lock (ring)
        {
            if (watched)
            {
                return false;
            }

            switch (state)
            {
                case BuildState.Built:
                    Merge(new OnePost(sourceKey, postId), Arrival.News, out _);
                    break;
                case BuildState.Building:
                    (arrivedWhileBuilding ??= []).Add(new SourcePost(sourceKey, postId));
                    break;
            }

            return true;
        }
    }

    /// <summary>A post delivered by a grain call (the feed is watched): the entry to announce, or null when none entered.</summary>
    public FeedRef? Deliver(string sourceKey, long postId)
    {
        lock (ring)
        {
            // Before the build, the build brings the post: it was stored before it was delivered.
            return IsBuilt && Merge(new OnePost(sourceKey, postId), Arrival.News, out var entry) > 0 ? entry : null;
        }
    }

    /// <summary>Merges the recent posts of a pulled source, newest first, as a read finds them.</summary>
    public void Pull(string sourceKey, IReadOnlyList<long> recentNewestFirst)
    {
        lock (ring)
        {
            Merge(new OneSourcePosts(sourceKey, recentNewestFirst), Arrival.Pulled, out _);
        }
    }

    /// <summary>
    /// Builds the timeline unless it is built: <paramref name="build"/> calls <see cref="Restore"/> or
    /// <see cref="Rebuild"/>. Deliveries are kept from now until then; if the build fails they are
    /// skipped again until the next one.
    /// </summary>
    public async Task EnsureBuiltAsync(Func<Task> build)
    {
        if (IsBuilt)
        {
            return;
        }

        lock (ring)
        {
            state = BuildState.Building;
        }

        try
        {
            await build();
        }
        catch
        {
            lock (ring)
            {
                arrivedWhileBuilding = null;
                state = BuildState.Unbuilt;
            }

            throw;
        }
    }

    /// <summary>Whether a saved snapshot can be restored here (same sources, well formed).</summary>
    public bool CanRestore(TimelineSnapshot saved)
    {
        lock (ring)
        {
            return TimelineSnapshotCodec.CanRestore(saved, slots);
        }
    }

    /// <summary>
    /// Takes a saved timeline with its cursors, so that readers and watchers resume exactly where they
    /// were, then the posts published since (newest first) as news; completes the build. False,
    /// changing nothing, when the snapshot cannot be restored.
    /// </summary>
    public bool Restore(TimelineSnapshot saved, IReadOnlyList<SourcePost> missedNewestFirst)
    {
        lock (ring)
        {
            if (!TimelineSnapshotCodec.CanRestore(saved, slots))
            {
                return false;
            }

            var wasChanged = changed;
            ring.Load([], slots.BitsNeeded());
            Merge(new SavedPosts(saved), Arrival.Saved, out _);

            // As saved, it needs no saving; only what it catches up on does.
            changed = wasChanged;
            Merge(new SourcePosts(missedNewestFirst, newestFirst: true), Arrival.News, out _);
            CompleteBuild();
            return true;
        }
    }

    /// <summary>Replaces the content with the newest of the given posts of the followed sources; completes the build.</summary>
    public void Rebuild(IReadOnlyList<SourcePost> posts)
    {
        lock (ring)
        {
            ring.Load([], slots.BitsNeeded());
            Merge(new SourcePosts(posts, newestFirst: true), Arrival.History, out _);
            changed = true;
            CompleteBuild();
        }
    }

    /// <summary>Newest first, strictly before <paramref name="before"/> when given.</summary>
    public FeedRefPage ReadBefore(long? before, int count)
    {
        lock (ring)
        {
            return ring.ReadBefore(before, count);
        }
    }

    /// <summary>Oldest first, strictly after <paramref name="after"/>.</summary>
    public FeedRefPage ReadAfter(long after, int count)
    {
        lock (ring)
        {
            return ring.ReadAfter(after, count);
        }
    }

    /// <inheritdoc />
    public TimelineSnapshot? TakeSnapshotIfChanged(DateTimeOffset savedAt)
    {
        lock (ring)
        {
            if (!changed || !IsBuilt)
            {
                return null;
            }

            changed = false;
            return TimelineSnapshotCodec.Encode(slots, ring, savedAt);
        }
    }

    /// <summary>Switches delivery between merging here (<see cref="Offer"/>) and calling the grain (<see cref="Deliver"/>).</summary>
    public void SetWatched(bool isWatched)
    {
        lock (ring)
        {
            watched = isWatched;
        }
    }

    /// <summary>Merges what arrived while the build read, in the order it arrived; deliveries merge as they come from now on.</summary>
    private void CompleteBuild()
    {
        if (arrivedWhileBuilding is { } arrived)
        {
            Merge(new SourcePosts(arrived, newestFirst: false), Arrival.News, out _);
        }

        arrivedWhileBuilding = null;
        state = BuildState.Built;
    }
}
