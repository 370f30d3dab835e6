using Npgsql;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// In durable mode the figures are grain state in PostgreSQL: a restart keeps every count and every
/// distinct set, and an erased person's id is in none of it any more.
/// </summary>
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

    [Fact]
    public async Task An_erased_persons_id_is_nowhere_in_the_stored_statistics_while_the_days_counts_stay()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_erasure");
        await using var engine = await stores.StartEngineAsync("analytics-erasure", $"--Network:Admins:0={Admin}");
        var api = new EngineClient(engine.Channel);
        await api.Users.CreateUserAsync(new CreateUserRequest { RequestId = NewRequestId(), UserId = Admin, Profile = new Profile { DisplayName = "Admin" } });
        var owner = await api.CreateUserAsync("owner");
        var leaving = await api.CreateUserAsync("leaving");
        var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
        await api.AddMemberAsync(owner, group.GroupId, leaving);
        var welcome = await api.PostAsync(owner, "Welcome aboard", group.GroupId);
        await api.ReadPostAsync(leaving, welcome.PostId);
        await api.ReactAsync(leaving, welcome.PostId);
        await api.PostAsync(leaving, "Glad to be here", group.GroupId);
        var before = await AnalyticsCalls.EventuallyAsync(
            () => api.TodayAsync(Admin), day => day.Posts == 2 && day.Reactions == 1 && day.DailyActive == 2, "the day's figures");
        var reach = (await api.Stats().GetPostStatsAsync(new GetPostStatsRequest { PostId = welcome.PostId }, As(owner))).Reach;
        Assert.Equal(1, reach);
        // Only the people's table knows who a number is: the days, the group's day and the posts keep numbers.
        Assert.Equal([PeopleTable], await AnalyticsStateHoldingAsync(stores.Postgres, leaving));

        await api.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = leaving, Confirm = true }, As(leaving));

        await Eventually.TrueAsync(async () => (await AnalyticsStateHoldingAsync(stores.Postgres, leaving)).Length == 0, "no stored statistic holding the erased id");
        var after = await api.TodayAsync(Admin);
        Assert.Equal((before.DailyActive, before.Contributors, before.Readers, before.Posts, before.Reactions), (after.DailyActive, after.Contributors, after.Readers, after.Posts, after.Reactions));
        Assert.Equal(reach, (await api.Stats().GetPostStatsAsync(new GetPostStatsRequest { PostId = welcome.PostId }, As(owner))).Reach);
        var groupToday = (await api.Stats().GetGroupStatsAsync(new GetGroupStatsRequest { GroupId = group.GroupId }, As(owner))).Days[^1];
        Assert.Equal((2, 2), (groupToday.Posts, groupToday.ActiveMembers));
    }

    private const string PeopleTable = "rse_analytics_people";

    /// <summary>
    /// Where the statistics store the id: the kinds of analytics grain whose stored state holds its
    /// bytes (Orleans writes a string as UTF-8), and the people's table when a row has it.
    /// </summary>
    internal static async Task<string[]> AnalyticsStateHoldingAsync(string postgres, string userId)
    {
        await using var database = NpgsqlDataSource.Create(postgres);
        await using var command = database.CreateCommand(
            $"""
            SELECT grain_type FROM rse_grain_state WHERE grain_type LIKE 'analytics-%' AND position(convert_to($1, 'UTF8') in payload) > 0
            UNION
            SELECT '{PeopleTable}' FROM rse_analytics_people WHERE strpos(concat_ws(' ', user_id, department, location, region), $1) > 0
            ORDER BY 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        var kinds = new List<string>();
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            kinds.Add(rows.GetString(0));
        }

        return [.. kinds];
    }
}
