using RseOrleans.Grains.Feeds;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Tests.Engine;

public sealed class TimelineTests
{
    private const string Alice = "user:alice";
    private const string Team = "group:team";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

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

    [Fact]
    public void Paging_with_cursors_continues_across_a_repacking()
    {
        var timeline = new Timeline(capacity: 100);
        timeline.AddSource(Alice);
        var alicePosts = Enumerable.Range(0, 30).Select(minute => PostAt(minute / 1440.0)).ToList();
        foreach (var postId in alicePosts)
        {
            timeline.Append(Alice, postId);
        }

        var firstPage = timeline.ReadBefore(null, 10);

        // A third source needs a second slot bit: its first post makes the timeline repack its entries.
        timeline.AddSource(Team);
        timeline.AddSource("user:bob");
        var bobPost = PostAt(1);
        Assert.NotNull(timeline.Append("user:bob", bobPost));
        Assert.Equal(alicePosts[0], timeline.EncodingBase);

        var seen = firstPage.Refs.Select(r => r.PostId).ToList();
        var before = firstPage.Refs[^1].Cursor;
        while (true)
        {
            var page = timeline.ReadBefore(before, 7);
            seen.AddRange(page.Refs.Select(r => r.PostId));
            if (!page.HasMore)
            {
                break;
            }

            before = page.Refs[^1].Cursor;
        }

        Assert.Equal(alicePosts.AsEnumerable().Reverse(), seen);
        Assert.Equal([bobPost], timeline.ReadAfter(firstPage.Refs[0].Cursor, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void An_append_far_in_the_future_repacks_from_the_oldest_entry_kept()
    {
        var timeline = new Timeline(capacity: 5);
        var sources = Follow(timeline, 300); // 9 slot bits leave 55 bits of span, about 99 days.
        for (var i = 0; i < 5; i++)
        {
            timeline.Append(sources[299 - i], PostAt(0) + i);
        }

        for (var i = 0; i < 5; i++)
        {
            timeline.Append(sources[i], PostAt(60) + i);
        }

        Assert.Equal(PostAt(0), timeline.EncodingBase);

        Assert.NotNull(timeline.Append(sources[7], PostAt(110)));

        Assert.False(timeline.IsWide);
        Assert.Equal(PostAt(60) + 1, timeline.EncodingBase);
        Assert.Equal(
            [PostAt(110), PostAt(60) + 4, PostAt(60) + 3, PostAt(60) + 2, PostAt(60) + 1],
            timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void A_backfill_older_than_the_base_repacks_or_unpacks_and_keeps_the_order()
    {
        var timeline = new Timeline(capacity: 100);
        var sources = Follow(timeline, 300);
        timeline.Append(sources[1], PostAt(40));
        timeline.Append(sources[2], PostAt(41));
        Assert.Equal(PostAt(40), timeline.EncodingBase);

        Assert.Equal(2, timeline.Backfill(sources[3], [PostAt(20), PostAt(0)]));

        Assert.False(timeline.IsWide);
        Assert.Equal(PostAt(0), timeline.EncodingBase);
        Assert.Equal([PostAt(41), PostAt(40), PostAt(20), PostAt(0)], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));

        // 121 days do not fit beside 9 slot bits.
        Assert.Equal(1, timeline.Backfill(sources[4], [PostAt(-80)]));

        Assert.True(timeline.IsWide);
        Assert.Equal(
            [PostAt(41), PostAt(40), PostAt(20), PostAt(0), PostAt(-80)],
            timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
        Assert.Empty(timeline.ReadAfter(PostAt(41), 10).Refs);
    }

    [Fact]
    public void A_timeline_with_many_sources_over_more_than_49_days_is_kept_wide_and_survives_a_snapshot()
    {
        var timeline = new Timeline(capacity: 100);
        var sources = Follow(timeline, 1024); // 10 slot bits leave 54 bits of span, about 49.7 days.
        timeline.Append(sources[0], PostAt(0));
        timeline.Append(sources[1023], PostAt(30));
        Assert.False(timeline.IsWide);

        timeline.Append(sources[512], PostAt(60));
        var late = timeline.Append(sources[3], PostAt(45))!.Value;

        Assert.True(timeline.IsWide);
        Assert.True(late.Cursor > PostAt(60), "a late delivery still takes the next cursor");
        Assert.Equal([PostAt(45), PostAt(60), PostAt(30), PostAt(0)], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
        Assert.Null(timeline.Append(sources[3], PostAt(45)));

        var restored = new Timeline(capacity: 100);
        foreach (var source in sources)
        {
            restored.AddSource(source);
        }

        Assert.True(restored.Restore(timeline.ToSnapshot(Start)));

        Assert.True(restored.IsWide);
        Assert.Equal(timeline.ReadBefore(null, 10).Refs, restored.ReadBefore(null, 10).Refs);
        Assert.Null(restored.Append(sources[3], PostAt(45)));

        // Without its oldest source the rest spans 30 days, which packs again.
        Assert.True(restored.RemoveSource(sources[0]));

        Assert.False(restored.IsWide);
        Assert.Equal(timeline.ReadBefore(null, 3).Refs, restored.ReadBefore(null, 10).Refs);
        Assert.Equal(late, restored.ReadAfter(PostAt(60), 10).Refs.Single());
    }

    [Fact]
    public void Sources_beyond_a_handful_can_be_followed_dropped_and_followed_again()
    {
        var timeline = new Timeline(capacity: 100);
        var sources = Follow(timeline, 20);
        for (var i = 0; i < 20; i++)
        {
            Assert.NotNull(timeline.Append(sources[i], i + 1));
            timeline.Remember(sources[i], i + 1);
        }

        // Keys compare by value, not only when they are the same instance.
        Assert.All(sources, source => Assert.True(timeline.HasSource(Copy(source))));
        Assert.False(timeline.AddSource(Copy(sources[7])));
        Assert.Equal(sources.Order(), timeline.Sources.Order());

        for (var i = 0; i < 15; i++)
        {
            Assert.True(timeline.RemoveSource(Copy(sources[i])));
        }

        Assert.All(sources.Take(15), source => Assert.False(timeline.HasSource(source)));
        Assert.All(sources.Skip(15), source => Assert.True(timeline.HasSource(Copy(source))));
        Assert.Null(timeline.Append(sources[0], 100));
        Assert.Equal([20L, 19, 18, 17, 16], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));

        for (var i = 0; i < 12; i++)
        {
            Assert.True(timeline.AddSource(sources[i]));
        }

        Assert.Equal(0, timeline.NewestKnown(sources[0]));
        Assert.Equal(16, timeline.NewestKnown(Copy(sources[15])));
        for (var i = 0; i < 12; i++)
        {
            Assert.NotNull(timeline.Append(Copy(sources[i]), 100 + i));
        }

        Assert.Equal(17, timeline.Count);
        Assert.Equal(sources.Take(12).Concat(sources.Skip(15)).Order(), timeline.Sources.Order());
        Assert.Equal(
            Enumerable.Range(100, 12).Reverse().Select(id => (long)id).Concat([20L, 19, 18, 17, 16]),
            timeline.ReadBefore(null, 20).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void Late_deliveries_keep_their_post_ids_after_a_repacking()
    {
        var timeline = new Timeline(capacity: 100);
        timeline.AddSource(Alice);
        var newer = PostAt(1);
        var older = PostAt(0.5);
        timeline.Append(Alice, newer);
        var late = timeline.Append(Alice, older)!.Value;
        Assert.NotEqual(older, late.Cursor);

        var sources = Follow(timeline, 300);
        Assert.NotNull(timeline.Append(sources[299], PostAt(2)));

        Assert.Equal(newer, timeline.EncodingBase);
        var refs = timeline.ReadBefore(null, 10).Refs;
        Assert.Equal([PostAt(2), older, newer], refs.Select(r => r.PostId));
        Assert.Equal(late, refs[1]);
        Assert.Null(timeline.Append(Alice, older));
        Assert.Equal([late], timeline.ReadAfter(newer, 1).Refs);
    }

    private static long PostAt(double days) => TimeOrderedIdGenerator.FirstIdAt(Start.AddDays(days));

    private static string Copy(string key) => new(key.AsSpan());

    private static List<string> Follow(Timeline timeline, int count)
    {
        var sources = Enumerable.Range(0, count).Select(i => $"group:{i}").ToList();
        foreach (var source in sources)
        {
            Assert.True(timeline.AddSource(source));
        }

        return sources;
    }

    private static Timeline NewTimeline()
    {
        var timeline = new Timeline(capacity: 100);
        timeline.AddSource(Alice);
        timeline.AddSource(Team);
        return timeline;
    }
}
