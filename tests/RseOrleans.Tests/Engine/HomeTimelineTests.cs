using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Feeds;

namespace RseOrleans.Tests.Engine;

/// <summary>The state a home timeline owns around its entries: building, watching, pulling, saving.</summary>
public sealed class HomeTimelineTests
{
    private const string Alice = "user:alice";
    private const string Big = "group:all-company";
    private static readonly DateTimeOffset SavedAt = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Deliveries_are_skipped_before_a_build_kept_while_it_reads_and_merged_once_it_is_done()
    {
        var timeline = Following(Alice);
        Assert.True(timeline.Offer(Alice, 10));

        await timeline.EnsureBuiltAsync(() =>
        {
            Assert.True(timeline.Offer(Alice, 30));
            timeline.Rebuild([new SourcePost(Alice, 20)]);
            return Task.CompletedTask;
        });

        Assert.True(timeline.IsBuilt);
        Assert.Equal([30L, 20], PostIds(timeline));
    }

    [Fact]
    public async Task After_a_failed_build_deliveries_are_skipped_again_until_the_next_build()
    {
        var timeline = Following(Alice);
        await Assert.ThrowsAsync<TimeoutException>(() => timeline.EnsureBuiltAsync(() =>
        {
            timeline.Offer(Alice, 10);
            throw new TimeoutException();
        }));

        timeline.Offer(Alice, 20);
        await timeline.EnsureBuiltAsync(() =>
        {
            timeline.Rebuild([]);
            return Task.CompletedTask;
        });

        Assert.True(timeline.IsBuilt);
        Assert.Empty(PostIds(timeline));
    }

    [Fact]
    public void A_watched_timeline_takes_deliveries_only_through_its_grain()
    {
        var timeline = Built(Alice);
        timeline.SetWatched(true);

        Assert.False(timeline.Offer(Alice, 10));
        Assert.Empty(PostIds(timeline));
        Assert.Equal(10, timeline.Deliver(Alice, 10)?.PostId);

        timeline.SetWatched(false);
        Assert.True(timeline.Offer(Alice, 20));
        Assert.Equal([20L, 10], PostIds(timeline));
    }

    [Fact]
    public void A_pull_merges_only_what_is_newer_than_the_newest_known_post_as_news()
    {
        var timeline = Built(Alice, Big);
        timeline.Offer(Alice, 100);
        timeline.Offer(Big, 50);

        // 40 and 50 are history the timeline has or never kept; 60 arrived after Alice's 100.
        timeline.Pull(Big, [60, 50, 40]);

        var refs = timeline.ReadBefore(null, 10).Refs;
        Assert.Equal([60L, 50, 100], refs.Select(r => r.PostId));
        Assert.True(refs[0].Cursor > 100, "pulled news takes a cursor after the newest");
        Assert.Equal(60, timeline.NewestKnown(Big));

        timeline.Pull(Big, [60, 50, 40]);
        Assert.Equal(3, timeline.Count);
    }

    [Fact]
    public void A_restore_keeps_the_saved_cursors_and_catches_up_on_what_was_missed_as_news()
    {
        var saved = Built(Alice);
        saved.Offer(Alice, 200);
        var late = saved.Deliver(Alice, 100)!.Value;
        var snapshot = saved.TakeSnapshotIfChanged(SavedAt)!;
        Assert.Null(saved.TakeSnapshotIfChanged(SavedAt));

        var restored = Following(Alice);
        Assert.True(restored.CanRestore(snapshot));
        Assert.True(restored.Restore(snapshot, [new SourcePost(Alice, 300), new SourcePost(Alice, 200)]));

        Assert.Equal(late, restored.ReadAfter(200, 1).Refs.Single());
        Assert.Equal([300L, 100, 200], PostIds(restored));
        Assert.Equal(300, restored.NewestKnown(Alice));
        Assert.NotNull(restored.TakeSnapshotIfChanged(SavedAt));
    }

    [Fact]
    public void A_snapshot_of_other_sources_is_not_restored()
    {
        var saved = Built(Alice);
        saved.Offer(Alice, 200);
        var snapshot = saved.TakeSnapshotIfChanged(SavedAt)!;

        var restored = Following(Alice, Big);
        Assert.False(restored.CanRestore(snapshot));
        Assert.False(restored.Restore(snapshot, []));
        Assert.False(restored.IsBuilt);
    }

    private static HomeTimeline Following(params string[] sources)
    {
        var timeline = new HomeTimeline(capacity: 100);
        foreach (var source in sources)
        {
            timeline.Follow(source, []);
        }

        return timeline;
    }

    private static HomeTimeline Built(params string[] sources)
    {
        var timeline = Following(sources);
        timeline.Rebuild([]);
        return timeline;
    }

    private static long[] PostIds(HomeTimeline timeline) => [.. timeline.ReadBefore(null, 100).Refs.Select(r => r.PostId)];
}
