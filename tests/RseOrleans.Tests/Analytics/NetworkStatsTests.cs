using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Analytics;

/// <summary>The network's statistics: each act and each reader counted once a day, exactly; for network admins only.</summary>
[Collection(AnalyticsCollection.Name)]
public sealed class NetworkStatsTests(EngineFixture engine)
{
    [Fact]
    public async Task Each_act_and_each_person_served_a_post_is_counted_once_for_the_day()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        var replier = await engine.CreateUserAsync("replier");
        var reader = await engine.CreateUserAsync("reader");
        await engine.FollowAsync(reader, author);
        var before = await engine.TodayAsync(admin);

        var post = await engine.PostAsync(author, "Quarterly figures are out");
        await engine.CommentAsync(replier, post.PostId);
        await engine.ReactAsync(replier, post.PostId);
        await engine.ShareAsync(replier, post.PostId);
        // Read twice: one reader, counted once among the day's active people.
        await engine.HomeFeedAsync(reader);
        await engine.ReadPostAsync(reader, post.PostId);

        var today = await AnalyticsCalls.EventuallyAsync(
            () => engine.TodayAsync(admin),
            day => day.Reactions == before.Reactions + 1 && day.Shares == before.Shares + 1 && day.PostsServed >= before.PostsServed + 2,
            "today's figures to show the acts");
        Assert.Equal(before.Posts + 2, today.Posts); // the post, and the share, which is a post too
        Assert.Equal(before.Comments + 1, today.Comments);
        Assert.Equal(before.DailyActive + 3, today.DailyActive);
        Assert.Equal(before.Contributors + 2, today.Contributors);
        Assert.Equal(before.Readers + 1, today.Readers);
        Assert.Equal(before.PostsServed + 2, today.PostsServed);
        Assert.True(today.MonthlyActive >= today.WeeklyActive && today.WeeklyActive >= today.DailyActive);
    }

    [Fact]
    public async Task A_range_gives_one_day_per_date_with_breakdowns_that_merge_small_departments_into_other()
    {
        var admin = await engine.NetworkAdminAsync();
        var department = "Dept-" + Guid.NewGuid().ToString("N")[..6];
        var lone = "Lone-" + Guid.NewGuid().ToString("N")[..6];
        var people = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            people.Add(await engine.CreateUserAsync("worker", department));
        }

        var alone = await engine.CreateUserAsync("alone", lone);
        foreach (var person in people.Append(alone))
        {
            await engine.PostAsync(person, "Hello from " + person);
        }

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var start = DateTime.UtcNow.AddDays(-9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var stats = await AnalyticsCalls.EventuallyAsync(
            () => engine.Stats().GetNetworkStatsAsync(new GetNetworkStatsRequest { StartDate = start, EndDate = today }, As(admin)).ResponseAsync,
            s => s.ByDepartment.Any(b => b.Value == department && b.Active == 5),
            "the department's five people");

        Assert.Equal(10, stats.Days.Count);
        Assert.Equal(start, stats.Days[0].Date);
        Assert.Equal(today, stats.Days[^1].Date);
        Assert.Equal("exact", stats.Precision);
        Assert.Equal(5, stats.ByDepartment.Single(b => b.Value == department).Contributors);
        // One person's department is never shown alone: it is in "other".
        Assert.DoesNotContain(stats.ByDepartment, b => b.Value == lone);
        Assert.Contains(stats.ByDepartment, b => b.Value == "other" && b.Active >= 1);
        Assert.Contains(stats.ByTimeZoneRegion, b => b.Value == "Europe");
        Assert.True(stats.Activated >= 6 && stats.Accounts >= stats.Activated);
        Assert.InRange(stats.Activation, 0.0, 1.0);
    }

    [Fact]
    public async Task Only_network_admins_see_the_network_and_guests_see_no_statistics()
    {
        var admin = await engine.NetworkAdminAsync();
        var member = await engine.CreateUserAsync("member");
        var guest = await engine.CreateUserAsync("guest");
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = guest, Role = NetworkRole.Guest }, As(admin));

        foreach (var caller in new[] { member, guest })
        {
            await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Stats().GetNetworkStatsAsync(new GetNetworkStatsRequest(), As(caller)));
            using var watch = engine.Stats().WatchNetworkStats(new WatchNetworkStatsRequest(), As(caller));
            var refused = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
    }

    [Theory]
    [InlineData("2026-13-01", "", "start_date")]
    [InlineData("", "yesterday", "end_date")]
    [InlineData("", "2999-01-01", "end_date")]
    [InlineData("2020-01-01", "", "start_date")]
    public async Task A_bad_range_is_invalid_and_names_its_field(string start, string end, string field)
    {
        var admin = await engine.NetworkAdminAsync();
        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument,
            () => engine.Stats().GetNetworkStatsAsync(new GetNetworkStatsRequest { StartDate = start, EndDate = end }, As(admin)));
        Assert.Contains(field, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_after_the_end_is_invalid()
    {
        var admin = await engine.NetworkAdminAsync();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var earlier = DateTime.UtcNow.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument,
            () => engine.Stats().GetNetworkStatsAsync(new GetNetworkStatsRequest { StartDate = today, EndDate = earlier }, As(admin)));
        Assert.Contains("start_date", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_sends_todays_figures_then_again_when_a_post_is_made()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = engine.Stats().WatchNetworkStats(new WatchNetworkStatsRequest(), As(admin), cancellationToken: cancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        var first = watch.ResponseStream.Current;
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), first.Date);

        await engine.PostAsync(author, "Live on the wall display");

        DayStats latest;
        do
        {
            Assert.True(await watch.ResponseStream.MoveNext(cancel.Token), "the watch ended before showing the post");
            latest = watch.ResponseStream.Current;
        }
        while (latest.Posts < first.Posts + 1);
        Assert.Equal(first.Posts + 1, latest.Posts);
    }
}
