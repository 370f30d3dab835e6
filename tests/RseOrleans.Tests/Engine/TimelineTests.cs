using RseOrleans.Grains.Feeds;

namespace RseOrleans.Tests.Engine;

public sealed class TimelineTests
{
    private const string Alice = "user:alice";
    private const string Team = "group:team";

    [Fact]
    public void A_post_that_arrives_after_a_newer_one_still_gets_a_higher_cursor()
    {
        var timeline = NewTimeline();
        var newer = timeline.Append(Alice, 2_000)!.Value;
        var older = timeline.Append(Team, 1_000)!.Value;

        Assert.Equal(2_000, newer.Cursor);
        Assert.True(older.Cursor > newer.Cursor, "cursors grow in delivery order");
        Assert.Equal([1_000L, 2_000L], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void A_repeated_delivery_or_an_unfollowed_source_adds_nothing()
    {
        var timeline = NewTimeline();
        Assert.NotNull(timeline.Append(Alice, 10));
        Assert.Null(timeline.Append(Alice, 10));
        Assert.Null(timeline.Append("user:stranger", 11));
        Assert.Equal(1, timeline.Count);
    }

    [Fact]
    public void Paging_backwards_then_forwards_returns_every_entry_once()
    {
        var timeline = NewTimeline();
        for (long id = 1; id <= 25; id++)
        {
            timeline.Append(id % 2 == 0 ? Alice : Team, id * 10);
        }

        var seen = new List<long>();
        long? before = null;
        bool more;
        do
        {
            var page = timeline.ReadBefore(before, 7);
            seen.AddRange(page.Refs.Select(r => r.PostId));
            before = page.Refs[^1].Cursor;
            more = page.HasMore;
        }
        while (more);

        Assert.Equal(Enumerable.Range(1, 25).Reverse().Select(i => i * 10L), seen);

        var forward = timeline.ReadAfter(100, 100);
        Assert.Equal(Enumerable.Range(11, 15).Select(i => i * 10L), forward.Refs.Select(r => r.PostId));
        Assert.False(forward.HasMore);
    }

    [Fact]
    public void The_timeline_keeps_only_the_newest_entries_up_to_its_capacity()
    {
        var timeline = new Timeline(capacity: 5);
        timeline.AddSource(Alice);
        for (long id = 1; id <= 12; id++)
        {
            timeline.Append(Alice, id);
        }

        Assert.Equal(5, timeline.Count);
        Assert.Equal([12L, 11, 10, 9, 8], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void Removing_a_source_drops_all_of_its_entries_and_its_slot_is_reused()
    {
        var timeline = NewTimeline();
        timeline.Append(Alice, 1);
        timeline.Append(Team, 2);
        timeline.Append(Alice, 3);

        Assert.True(timeline.RemoveSource(Team));
        Assert.Equal([3L, 1], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));

        timeline.AddSource("group:other");
        timeline.Append("group:other", 4);
        Assert.True(timeline.RemoveSource("group:other"));
        Assert.Equal([3L, 1], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void A_backfill_places_history_at_its_own_time_never_after_newer_entries()
    {
        var timeline = NewTimeline();
        timeline.Append(Alice, 100);
        timeline.Append(Alice, 300);

        timeline.AddSource("user:bob");
        Assert.Equal(2, timeline.Backfill("user:bob", [200, 50, 300]));

        Assert.Equal([300L, 200, 100, 50], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
        Assert.Empty(timeline.ReadAfter(300, 10).Refs);
    }

    [Fact]
    public void A_rebuild_keeps_the_newest_posts_of_the_followed_sources()
    {
        var timeline = new Timeline(capacity: 4);
        timeline.AddSource(Alice);
        timeline.AddSource(Team);

        timeline.Rebuild([(Alice, [1, 4, 6]), (Team, [2, 3, 5]), ("user:unfollowed", [7])]);

        Assert.Equal([6L, 5, 4, 3], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void Late_deliveries_keep_their_post_ids_as_the_ring_wraps_around_many_times()
    {
        var timeline = new Timeline(capacity: 5);
        timeline.AddSource(Alice);
        var expected = new List<long>();
        for (long round = 1; round <= 20; round++)
        {
            // Each round a newer post arrives before an older one, so the older one's cursor moves.
            var newer = round * 100 + 50;
            var older = round * 100 + 10;
            Assert.NotNull(timeline.Append(Alice, newer));
            Assert.NotNull(timeline.Append(Alice, older));
            Assert.Null(timeline.Append(Alice, older));
            Assert.Null(timeline.Append(Alice, newer));
            expected.Add(newer);
            expected.Add(older);
        }

        var page = timeline.ReadBefore(null, 10).Refs;
        Assert.Equal(expected.TakeLast(5).Reverse(), page.Select(r => r.PostId));
        Assert.True(page.Zip(page.Skip(1)).All(pair => pair.First.Cursor > pair.Second.Cursor), "cursors strictly decrease");
    }

    private static Timeline NewTimeline()
    {
        var timeline = new Timeline(capacity: 100);
        timeline.AddSource(Alice);
        timeline.AddSource(Team);
        return timeline;
    }
}
