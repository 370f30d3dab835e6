using RseOrleans.Grains.Durability;
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
        var newer = timeline.Deliver(Alice, 2_000)!.Value;
        var older = timeline.Deliver(Team, 1_000)!.Value;

        Assert.Equal(2_000, newer.Cursor);
        Assert.True(older.Cursor > newer.Cursor, "cursors grow in delivery order");
        Assert.Equal([1_000L, 2_000L], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void A_repeated_delivery_or_an_unfollowed_source_adds_nothing()
    {
        var timeline = NewTimeline();
        Assert.NotNull(timeline.Deliver(Alice, 10));
        Assert.Null(timeline.Deliver(Alice, 10));
        Assert.Null(timeline.Deliver("user:stranger", 11));
        Assert.Equal(1, timeline.Count);
    }

    [Fact]
    public void Paging_backwards_then_forwards_returns_every_entry_once()
    {
        var timeline = NewTimeline();
        for (long id = 1; id <= 25; id++)
        {
            timeline.Deliver(id % 2 == 0 ? Alice : Team, id * 10);
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
        var timeline = Built(5, Alice);
        for (long id = 1; id <= 12; id++)
        {
            timeline.Deliver(Alice, id);
        }

        Assert.Equal(5, timeline.Count);
        Assert.Equal([12L, 11, 10, 9, 8], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void Removing_a_source_drops_all_of_its_entries_and_its_slot_is_reused()
    {
        var timeline = NewTimeline();
        timeline.Deliver(Alice, 1);
        timeline.Deliver(Team, 2);
        timeline.Deliver(Alice, 3);

        Assert.True(timeline.Unfollow(Team));
        Assert.Equal([3L, 1], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));

        timeline.Follow("group:other", []);
        timeline.Deliver("group:other", 4);
        Assert.True(timeline.Unfollow("group:other"));
        Assert.Equal([3L, 1], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void A_backfill_places_history_at_its_own_time_never_after_newer_entries()
    {
        var timeline = NewTimeline();
        timeline.Deliver(Alice, 100);
        timeline.Deliver(Alice, 300);

        Assert.Equal(2, Backfill(timeline, "user:bob", [200, 50, 300]));

        Assert.Equal([300L, 200, 100, 50], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
        Assert.Empty(timeline.ReadAfter(300, 10).Refs);
    }

    [Fact]
    public void A_rebuild_keeps_the_newest_posts_of_the_followed_sources()
    {
        var timeline = Built(4, Alice, Team);

        timeline.Rebuild([.. Posts(Alice, 1, 4, 6), .. Posts(Team, 2, 3, 5), .. Posts("user:unfollowed", 7)]);

        Assert.Equal([6L, 5, 4, 3], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void Late_deliveries_keep_their_post_ids_as_the_ring_wraps_around_many_times()
    {
        var timeline = Built(5, Alice);
        var expected = new List<long>();
        for (long round = 1; round <= 20; round++)
        {
            // Each round a newer post arrives before an older one, so the older one's cursor moves.
            var newer = round * 100 + 50;
            var older = round * 100 + 10;
            Assert.NotNull(timeline.Deliver(Alice, newer));
            Assert.NotNull(timeline.Deliver(Alice, older));
            Assert.Null(timeline.Deliver(Alice, older));
            Assert.Null(timeline.Deliver(Alice, newer));
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
        var timeline = Built(100, Alice);
        var alicePosts = Enumerable.Range(0, 30).Select(minute => PostAt(minute / 1440.0)).ToList();
        foreach (var postId in alicePosts)
        {
            timeline.Deliver(Alice, postId);
        }

        var firstPage = timeline.ReadBefore(null, 10);

        // A third source needs a second slot bit: its first post makes the timeline repack its entries.
        timeline.Follow(Team, []);
        timeline.Follow("user:bob", []);
        var bobPost = PostAt(1);
        Assert.NotNull(timeline.Deliver("user:bob", bobPost));
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
        var timeline = Built(5);
        var sources = FollowMany(timeline, 300); // 9 slot bits leave 55 bits of span, about 99 days.
        for (var i = 0; i < 5; i++)
        {
            timeline.Deliver(sources[299 - i], PostAt(0) + i);
        }

        for (var i = 0; i < 5; i++)
        {
            timeline.Deliver(sources[i], PostAt(60) + i);
        }

        Assert.Equal(PostAt(0), timeline.EncodingBase);

        Assert.NotNull(timeline.Deliver(sources[7], PostAt(110)));

        Assert.False(timeline.IsWide);
        Assert.Equal(PostAt(60) + 1, timeline.EncodingBase);
        Assert.Equal(
            [PostAt(110), PostAt(60) + 4, PostAt(60) + 3, PostAt(60) + 2, PostAt(60) + 1],
            timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void A_backfill_older_than_the_base_repacks_or_unpacks_and_keeps_the_order()
    {
        var timeline = Built(100);
        var sources = FollowMany(timeline, 300);
        timeline.Deliver(sources[1], PostAt(40));
        timeline.Deliver(sources[2], PostAt(41));
        Assert.Equal(PostAt(40), timeline.EncodingBase);

        Assert.Equal(2, Backfill(timeline, sources[3], [PostAt(20), PostAt(0)]));

        Assert.False(timeline.IsWide);
        Assert.Equal(PostAt(0), timeline.EncodingBase);
        Assert.Equal([PostAt(41), PostAt(40), PostAt(20), PostAt(0)], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));

        // 121 days do not fit beside 9 slot bits.
        Assert.Equal(1, Backfill(timeline, sources[4], [PostAt(-80)]));

        Assert.True(timeline.IsWide);
        Assert.Equal(
            [PostAt(41), PostAt(40), PostAt(20), PostAt(0), PostAt(-80)],
            timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
        Assert.Empty(timeline.ReadAfter(PostAt(41), 10).Refs);
    }

    [Fact]
    public void A_timeline_with_many_sources_over_more_than_49_days_is_kept_wide_and_survives_a_snapshot()
    {
        var timeline = Built(100);
        var sources = FollowMany(timeline, 1024); // 10 slot bits leave 54 bits of span, about 49.7 days.
        timeline.Deliver(sources[0], PostAt(0));
        timeline.Deliver(sources[1023], PostAt(30));
        Assert.False(timeline.IsWide);

        timeline.Deliver(sources[512], PostAt(60));
        var late = timeline.Deliver(sources[3], PostAt(45))!.Value;

        Assert.True(timeline.IsWide);
        Assert.True(late.Cursor > PostAt(60), "a late delivery still takes the next cursor");
        Assert.Equal([PostAt(45), PostAt(60), PostAt(30), PostAt(0)], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
        Assert.Null(timeline.Deliver(sources[3], PostAt(45)));

        var restored = new HomeTimeline(capacity: 100);
        foreach (var source in sources)
        {
            restored.Follow(source, []);
        }

        Assert.True(restored.Restore(timeline.TakeSnapshotIfChanged(Start)!, []));

        Assert.True(restored.IsWide);
        Assert.Equal(timeline.ReadBefore(null, 10).Refs, restored.ReadBefore(null, 10).Refs);
        Assert.Null(restored.Deliver(sources[3], PostAt(45)));

        // Without its oldest source the rest spans 30 days, which packs again.
        Assert.True(restored.Unfollow(sources[0]));

        Assert.False(restored.IsWide);
        Assert.Equal(timeline.ReadBefore(null, 3).Refs, restored.ReadBefore(null, 10).Refs);
        Assert.Equal(late, restored.ReadAfter(PostAt(60), 10).Refs.Single());
    }

    [Fact]
    public void Sources_beyond_a_handful_can_be_followed_dropped_and_followed_again()
    {
        var timeline = Built(100);
        var sources = FollowMany(timeline, 20);
        for (var i = 0; i < 20; i++)
        {
            Assert.NotNull(timeline.Deliver(sources[i], i + 1));
        }

        // Keys compare by value, not only when they are the same instance.
        Assert.All(sources, source => Assert.True(timeline.HasSource(Copy(source))));
        Assert.False(timeline.Follow(Copy(sources[7]), []));
        Assert.Equal(sources.Order(), timeline.Sources.Order());

        for (var i = 0; i < 15; i++)
        {
            Assert.True(timeline.Unfollow(Copy(sources[i])));
        }

        Assert.All(sources.Take(15), source => Assert.False(timeline.HasSource(source)));
        Assert.All(sources.Skip(15), source => Assert.True(timeline.HasSource(Copy(source))));
        Assert.Null(timeline.Deliver(sources[0], 100));
        Assert.Equal([20L, 19, 18, 17, 16], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));

        for (var i = 0; i < 12; i++)
        {
            Assert.True(timeline.Follow(sources[i], []));
        }

        Assert.Equal(0, timeline.NewestKnown(sources[0]));
        Assert.Equal(16, timeline.NewestKnown(Copy(sources[15])));
        for (var i = 0; i < 12; i++)
        {
            Assert.NotNull(timeline.Deliver(Copy(sources[i]), 100 + i));
        }

        Assert.Equal(17, timeline.Count);
        Assert.Equal(sources.Take(12).Concat(sources.Skip(15)).Order(), timeline.Sources.Order());
        Assert.Equal(
            Enumerable.Range(100, 12).Reverse().Select(id => (long)id).Concat([20L, 19, 18, 17, 16]),
            timeline.ReadBefore(null, 20).Refs.Select(r => r.PostId));
    }

    [Fact]
    public void Hundreds_of_sources_are_found_by_value_as_they_are_followed_and_dropped()
    {
        // Past a handful of sources a timeline looks a key up by hash code, past 256 by dictionary.
        var timeline = Built(1_000);
        var sources = FollowMany(timeline, 300);
        for (var i = 0; i < 300; i++)
        {
            Assert.NotNull(timeline.Deliver(Copy(sources[i]), i + 1));
        }

        for (var i = 0; i < 295; i++)
        {
            Assert.True(timeline.Unfollow(Copy(sources[i])));
            Assert.False(timeline.HasSource(Copy(sources[i])));
            Assert.True(timeline.HasSource(Copy(sources[299])));
        }

        Assert.Equal([300L, 299, 298, 297, 296], timeline.ReadBefore(null, 10).Refs.Select(r => r.PostId));
        for (var i = 0; i < 40; i++)
        {
            Assert.True(timeline.Follow(Copy(sources[i]), []));
        }

        Assert.All(sources.Take(40).Concat(sources.Skip(295)), source => Assert.True(timeline.HasSource(Copy(source))));
        Assert.All(sources.Skip(40).Take(255), source => Assert.False(timeline.HasSource(Copy(source))));
        Assert.NotNull(timeline.Deliver(Copy(sources[39]), 1_000));
        Assert.Equal(1_000, timeline.NewestKnown(sources[39]));
    }

    [Fact]
    public void Late_deliveries_keep_their_post_ids_after_a_repacking()
    {
        var timeline = Built(100, Alice);
        var newer = PostAt(1);
        var older = PostAt(0.5);
        timeline.Deliver(Alice, newer);
        var late = timeline.Deliver(Alice, older)!.Value;
        Assert.NotEqual(older, late.Cursor);

        var sources = FollowMany(timeline, 300);
        Assert.NotNull(timeline.Deliver(sources[299], PostAt(2)));

        Assert.Equal(newer, timeline.EncodingBase);
        var refs = timeline.ReadBefore(null, 10).Refs;
        Assert.Equal([PostAt(2), older, newer], refs.Select(r => r.PostId));
        Assert.Equal(late, refs[1]);
        Assert.Null(timeline.Deliver(Alice, older));
        Assert.Equal([late], timeline.ReadAfter(newer, 1).Refs);
    }

    private static long PostAt(double days) => TimeOrderedIdGenerator.FirstIdAt(Start.AddDays(days));

    private static IEnumerable<SourcePost> Posts(string source, params long[] postIds) =>
        postIds.Select(postId => new SourcePost(source, postId));

    private static string Copy(string key) => new(key.AsSpan());

    private static List<string> FollowMany(HomeTimeline timeline, int count)
    {
        var sources = Enumerable.Range(0, count).Select(i => $"group:{i}").ToList();
        foreach (var source in sources)
        {
            Assert.True(timeline.Follow(source, []));
        }

        return sources;
    }

    /// <summary>A built timeline following the sources, as a feed grain's is after its first read.</summary>
    private static HomeTimeline Built(int capacity, params string[] sources)
    {
        var timeline = new HomeTimeline(capacity);
        foreach (var source in sources)
        {
            timeline.Follow(source, []);
        }

        timeline.Rebuild([]);
        return timeline;
    }

    private static HomeTimeline NewTimeline() => Built(100, Alice, Team);

    private static int Backfill(HomeTimeline timeline, string source, long[] postIds)
    {
        var before = timeline.Count;
        timeline.Follow(source, postIds);
        return timeline.Count - before;
    }
}
