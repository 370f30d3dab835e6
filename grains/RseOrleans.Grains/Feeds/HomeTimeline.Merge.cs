using RseOrleans.Model;

namespace RseOrleans.Grains.Feeds;

/// <summary>The one way into a home timeline, for every route a post takes.</summary>
/// <remarks>
/// Every post enters through <see cref="Merge"/>, whatever its route, under one rule:
/// <list type="bullet">
/// <item>a post enters once: not when its source is not followed, nor when it is here already;</item>
/// <item>news (<see cref="Arrival.News"/>, <see cref="Arrival.Pulled"/>) takes the cursor after
/// the newest entry, its post id when that is higher, so cursors grow in the order readers see posts
/// and a reader paging back or a watcher resuming forward meets each entry once, with no gap;</item>
/// <item>history (<see cref="Arrival.History"/>) takes its post id, or the value just before when a
/// late delivery holds that one, so it never shows after a cursor a reader has passed;</item>
/// <item>a saved entry (<see cref="Arrival.Saved"/>) keeps its saved cursor;</item>
/// <item>every post offered raises its source's newest-known mark, and a pulled post at or below the
/// mark is history the timeline has, or chose not to keep, already.</item>
/// </list>
/// </remarks>
internal sealed partial class HomeTimeline
{
    /// <summary>The one way into the timeline (the rule is in the remarks of this type). Under the lock.</summary>
    /// <returns>How many posts entered; <paramref name="newest"/> is the last of them as news.</returns>
    private int Merge<TPosts>(TPosts posts, Arrival arrival, out FeedRef newest)
        where TPosts : struct, IIncomingPosts
    {
        newest = default;
        if (posts.Count == 0)
        {
            return 0;
        }

        var entered = arrival is Arrival.History or Arrival.Saved
            ? Place(posts, arrival)
            : Append(posts, arrival, ref newest);
        changed |= entered > 0;
        return entered;
    }

    /// <summary>News: after the newest entry.</summary>
    private int Append<TPosts>(TPosts posts, Arrival arrival, ref FeedRef newest)
        where TPosts : struct, IIncomingPosts
    {
        var entered = 0;
        for (var i = 0; i < posts.Count; i++)
        {
            var slot = slots.SlotOf(posts.SourceAt(i));
            if (slot < 0)
            {
                continue;
            }

            var postId = posts.PostIdAt(i);
            var known = slots.NewestKnown(slot);
            slots.Raise(slot, postId);
            if ((arrival == Arrival.Pulled && postId <= known) || ring.Contains(postId))
            {
                continue;
            }

            var cursor = ring.Count == 0 ? postId : Math.Max(postId, ring.NewestCursor + 1);
            ring.Append(cursor, postId, slot, slots);
            newest = new FeedRef(cursor, postId);
            entered++;
        }

        return entered;
    }

    /// <summary>
    /// History and saved entries: at their own cursors among the entries, the newest up to the
    /// capacity kept. Rare (a follow, a build), so the ring is simply loaded again.
    /// </summary>
    private int Place<TPosts>(TPosts posts, Arrival arrival)
        where TPosts : struct, IIncomingPosts
    {
        var entries = new List<TimelineEntry>(ring.Count + posts.Count);
        var postIds = new HashSet<long>(ring.Count + posts.Count);
        var cursors = new HashSet<long>(ring.Count + posts.Count);
        for (var i = 0; i < ring.Count; i++)
        {
            var entry = ring.EntryAt(i);
            entries.Add(entry);
            postIds.Add(entry.PostId);
            cursors.Add(entry.Cursor);
        }

        var entered = 0;
        for (var i = 0; i < posts.Count; i++)
        {
            var slot = slots.SlotOf(posts.SourceAt(i));
            if (slot < 0)
            {
                continue;
            }

            var postId = posts.PostIdAt(i);
            slots.Raise(slot, postId);
            var cursor = arrival == Arrival.Saved ? posts.SavedCursorAt(i) : postId;
            if (postIds.Contains(postId) || (!cursors.Add(cursor) && (arrival == Arrival.Saved || !cursors.Add(--cursor))))
            {
                continue;
            }

            postIds.Add(postId);
            entries.Add(new TimelineEntry(cursor, postId, slot));
            entered++;
        }

        if (entered > 0)
        {
            entries.Sort(static (a, b) => a.Cursor.CompareTo(b.Cursor));
            var drop = Math.Max(0, entries.Count - ring.Capacity);
            ring.Load(drop == 0 ? entries : entries.GetRange(drop, entries.Count - drop), slots.BitsNeeded());
        }

        return entered;
    }
}
