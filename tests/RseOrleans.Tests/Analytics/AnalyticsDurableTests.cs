using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Analytics;

/// <summary>In durable mode the figures are grain state in PostgreSQL: a restart keeps every count and every distinct set.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class AnalyticsDurableTests(DatabaseServersFixture servers)
{
    private const string Admin = "stats-admin";

    [Fact]
    public async Task The_days_figures_and_a_posts_reach_survive_a_restart_and_go_on_counting_distinct_people()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics");
        string author, reader;
        Post post;
        DayStats before;
        await using (var engine = await stores.StartEngineAsync("analytics", $"--Network:Admins:0={Admin}"))
        {
            var api = new EngineClient(engine.Channel);
            await api.Users.CreateUserAsync(new CreateUserRequest { RequestId = NewRequestId(), UserId = Admin, Profile = new Profile { DisplayName = "Admin" } });
            author = await api.CreateUserAsync("author");
            reader = await api.CreateUserAsync("reader");
            post = await api.PostAsync(author, "Counted before the restart");
            await api.ReadPostAsync(reader, post.PostId);
            before = await AnalyticsCalls.EventuallyAsync(() => api.TodayAsync(Admin), day => day.DailyActive == 2 && day.PostsServed == 1, "the day's figures");
        }

        await using var restarted = await stores.StartEngineAsync("analytics", $"--Network:Admins:0={Admin}");
        var client = new EngineClient(restarted.Channel);
        Assert.Equal(before, await client.TodayAsync(Admin));
        Assert.Equal(1, (await client.Stats().GetPostStatsAsync(new GetPostStatsRequest { PostId = post.PostId }, As(author))).Reach);

        // The same reader again is the same person: the restored set still counts them once.
        await client.ReadPostAsync(reader, post.PostId);
        var after = await AnalyticsCalls.EventuallyAsync(() => client.TodayAsync(Admin), day => day.PostsServed == 2, "the read after the restart");
        Assert.Equal(2, after.DailyActive);
        Assert.Equal(1, (await client.Stats().GetPostStatsAsync(new GetPostStatsRequest { PostId = post.PostId }, As(author))).Reach);
    }
}
