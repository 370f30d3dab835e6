using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;
using ActivityBatch = RseOrleans.Model.ActivityBatch;
using AnalyticsAct = RseOrleans.Model.AnalyticsAct;
using AnalyticsDays = RseOrleans.Model.AnalyticsDays;
using AnalyticsEntry = RseOrleans.Model.AnalyticsEntry;
using AnalyticsEntryKind = RseOrleans.Model.AnalyticsEntryKind;
using IAnalyticsJournal = RseOrleans.Model.IAnalyticsJournal;
using NetworkDay = RseOrleans.Model.NetworkDay;
using IAnalyticsRebuild = RseOrleans.Model.IAnalyticsRebuild;
using PersonAct = RseOrleans.Model.PersonAct;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// In durable mode the figures are derived from the analytics journal: wiped or wrong, the days',
/// groups' and posts' figures come back from it exactly, and it names no erased person.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class AnalyticsRebuildTests(DatabaseServersFixture servers)
{
    private const string Admin = "rebuild-admin";

    [Fact]
    public async Task Four_days_of_figures_wiped_from_the_database_come_back_identical_from_the_journal()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_rebuild");
        var clock = new ShiftedClock(TimeSpan.FromDays(-3));
        var first = AnalyticsDays.Of(clock.GetUtcNow());
        Network network;
        string before;
        await using (var engine = await StartAsync(stores, clock))
        {
            var api = new EngineClient(engine.Channel);
            network = await FourDaysAsync(api, clock);
            var stats = await AnalyticsCalls.EventuallyAsync(
                () => NetworkStatsAsync(api, first),
                s => (s.Days.Sum(d => d.Posts), s.Days.Sum(d => d.Comments), s.Days.Sum(d => d.Reactions), s.Days.Sum(d => d.Shares), s.Days.Sum(d => d.PostsServed)) == (5, 3, 2, 1, 6),
                "the four days' acts and reads");
            Assert.All(stats.Days, day => Assert.True(day.DailyActive > 0, $"nobody active on {day.Date}"));
            before = await FiguresAsync(api, network, first);
        }

        // The figures' rows are gone (a mistake, a restore that missed them): the journal is not.
        await stores.SqlAsync("DELETE FROM rse_grain_state WHERE grain_type IN ('analytics-network-day', 'analytics-group-day', 'analytics-post-reach')");
        await using var restarted = await StartAsync(stores, new ShiftedClock(TimeSpan.Zero));
        var client = new EngineClient(restarted.Channel);
        Assert.Equal(0, (await NetworkStatsAsync(client, first)).Days.Sum(d => d.Posts));

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => client.Stats().RebuildAnalyticsAsync(new RebuildAnalyticsRequest(), As(network.Author)));
        var rebuilt = await client.Stats().RebuildAnalyticsAsync(new RebuildAnalyticsRequest(), As(Admin));
        Assert.True(rebuilt.EntriesReplayed >= 11, $"{rebuilt.EntriesReplayed} entries replayed");
        Assert.Equal(first, AnalyticsDays.Of(rebuilt.JournalSince.ToDateTimeOffset()));
        Assert.Equal(before, await FiguresAsync(client, network, first));

        // Figures gone wrong in grains that are awake are set right too.
        var grains = restarted.Services.GetRequiredService<IGrainFactory>();
        var at = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(first)).Record(new ActivityBatch([0], [new PersonAct(0, AnalyticsAct.Comment, 1, at)]));
        await grains.GetGrain<IPostReachGrain>(long.Parse(network.Posts[0], System.Globalization.CultureInfo.InvariantCulture)).Record(new ActivityBatch([999], []));
        Assert.NotEqual(before, await FiguresAsync(client, network, first));
        await client.Stats().RebuildAnalyticsAsync(new RebuildAnalyticsRequest(), As(Admin));
        Assert.Equal(before, await FiguresAsync(client, network, first));
    }

    [Fact]
    public async Task Figures_counted_before_the_journal_existed_survive_a_rebuild_and_the_days_it_holds_whole_are_recomputed()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_rebuild_upgrade");
        var clock = new ShiftedClock(TimeSpan.FromDays(-3));
        var first = AnalyticsDays.Of(clock.GetUtcNow());
        await using var engine = await StartAsync(stores, clock);
        var api = new EngineClient(engine.Channel);
        await CreateAdminAsync(api);
        var author = await api.CreateUserAsync("author");
        var reader = await api.CreateUserAsync("reader");
        var group = await api.CreateGroupAsync(author, GroupVisibility.Open);
        foreach (var member in new[] { reader, await api.CreateUserAsync("quiet"), await api.CreateUserAsync("silent"), await api.CreateUserAsync("still") })
        {
            await api.AddMemberAsync(author, group.GroupId, member);
        }

        // Counted by a version without the journal: a day and a half, then the upgrade to it.
        var old = await api.PostAsync(author, "Before the upgrade", group.GroupId);
        await api.ReactAsync(reader, old.PostId);
        await api.ReadPostAsync(reader, old.PostId);
        clock.Offset += TimeSpan.FromDays(1);
        await api.CommentAsync(reader, old.PostId);
        await engine.Services.GetRequiredService<AnalyticsRecorder>().FlushAsync();
        await UpgradeToTheJournalAsync(stores, clock.GetUtcNow());

        clock.Offset += TimeSpan.FromMinutes(1);
        var fresh = await api.PostAsync(reader, "After the upgrade", group.GroupId);
        await api.ReactAsync(author, fresh.PostId);
        await api.ReadPostAsync(author, old.PostId);
        clock.Offset += TimeSpan.FromDays(1);
        await api.CommentAsync(author, fresh.PostId);
        await api.ReadPostAsync(author, fresh.PostId);
        clock.Offset += TimeSpan.FromDays(1);
        await api.ShareAsync(author, fresh.PostId);
        await api.ReadPostAsync(reader, fresh.PostId);
        var network = new Network(author, group.GroupId, [old.PostId, fresh.PostId]);
        await AnalyticsCalls.EventuallyAsync(
            () => NetworkStatsAsync(api, first),
            s => (s.Days.Sum(d => d.Posts), s.Days.Sum(d => d.Comments), s.Days.Sum(d => d.Reactions), s.Days.Sum(d => d.Shares)) == (3, 2, 2, 1),
            "the four days' acts, before and after the upgrade");
        var before = await FiguresAsync(api, network, first);

        // Gone wrong on a day the journal holds whole and on a post it saw created.
        var grains = engine.Services.GetRequiredService<IGrainFactory>();
        var lastButOne = first.AddDays(2);
        var at = new DateTimeOffset(lastButOne.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(lastButOne)).Record(new ActivityBatch([0], [new PersonAct(0, AnalyticsAct.Comment, 1, at)]));
        await grains.GetGrain<IPostReachGrain>(long.Parse(fresh.PostId, System.Globalization.CultureInfo.InvariantCulture)).Record(new ActivityBatch([999], []));
        Assert.NotEqual(before, await FiguresAsync(api, network, first));

        var rebuilt = await api.Stats().RebuildAnalyticsAsync(new RebuildAnalyticsRequest(), As(Admin));

        Assert.Equal(before, await FiguresAsync(api, network, first));
        var days = (await NetworkStatsAsync(api, first)).Days;
        Assert.Equal((1, 1, 1), (days[0].Posts, days[0].Reactions, days[1].Comments));
        // The upgrade's day holds facts from before the journal: it and the days before are kept, with the post counted before.
        Assert.Equal(AnalyticsDays.Key(lastButOne), rebuilt.RecomputedFrom);
        Assert.True(rebuilt.FiguresKept >= 5, $"{rebuilt.FiguresKept} kept: the two days, their group days and the post from before the upgrade");
        Assert.True(rebuilt.FiguresEmptied >= 5, $"{rebuilt.FiguresEmptied} recomputed: the last two days, their group days and the post from after the upgrade");
    }

    [Fact]
    public async Task After_an_erasure_a_rebuild_gives_the_same_counts_and_the_journal_names_nobody()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_rebuild_erasure");
        var clock = new ShiftedClock(TimeSpan.Zero);
        var today = AnalyticsDays.Of(clock.GetUtcNow());
        await using var engine = await StartAsync(stores, clock);
        var api = new EngineClient(engine.Channel);
        await CreateAdminAsync(api);
        var owner = await api.CreateUserAsync("owner");
        var leaving = await api.CreateUserAsync("leaving");
        var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
        await api.AddMemberAsync(owner, group.GroupId, leaving);
        foreach (var name in new[] { "quiet", "silent", "still" })
        {
            await api.AddMemberAsync(owner, group.GroupId, await api.CreateUserAsync(name));
        }

        var welcome = await api.PostAsync(owner, "Welcome aboard", group.GroupId);
        await api.ReadPostAsync(leaving, welcome.PostId);
        await api.ReactAsync(leaving, welcome.PostId);
        await api.CommentAsync(leaving, welcome.PostId);
        await api.PostAsync(leaving, "Glad to be here", group.GroupId);
        var network = new Network(owner, group.GroupId, [welcome.PostId]);
        await AnalyticsCalls.EventuallyAsync(
            () => api.TodayAsync(Admin), day => day.Posts == 2 && day.Reactions == 1 && day.Comments == 1 && day.DailyActive == 2, "the day's figures");
        var named = (await GroupStatsAsync(api, network, today)).TopContributors.Select(c => c.UserId);
        Assert.Contains(leaving, named);
        var before = await api.TodayAsync(Admin);

        await api.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = leaving, Confirm = true }, As(leaving));
        await Eventually.TrueAsync(async () => (await AnalyticsDurableTests.AnalyticsStateHoldingAsync(stores.Postgres, leaving)).Length == 0, "no stored statistic holding the erased id");
        await engine.Services.GetRequiredService<AnalyticsRecorder>().FlushAsync();
        var erased = await FiguresAsync(api, network, today);

        await api.Stats().RebuildAnalyticsAsync(new RebuildAnalyticsRequest(), As(Admin));

        Assert.Equal(erased, await FiguresAsync(api, network, today));
        var after = await api.TodayAsync(Admin);
        Assert.Equal(
            (before.DailyActive, before.Contributors, before.Readers, before.Posts, before.Comments, before.Reactions, before.PostsServed),
            (after.DailyActive, after.Contributors, after.Readers, after.Posts, after.Comments, after.Reactions, after.PostsServed));
        Assert.DoesNotContain(leaving, (await GroupStatsAsync(api, network, today)).TopContributors.Select(c => c.UserId));
        Assert.True((long)(await stores.SqlAsync("SELECT count(*) FROM rse_analytics_journal"))! >= 5, "the journal holds the day's acts and reads");
        Assert.Equal(0L, await stores.SqlAsync(
            $"SELECT count(*) FROM rse_analytics_journal entry WHERE strpos(entry::text, '{leaving}') > 0 OR position(convert_to('{leaving}', 'UTF8') in coalesce(entry.readers, ''::bytea)) > 0"));
        Assert.Empty(await AnalyticsDurableTests.AnalyticsStateHoldingAsync(stores.Postgres, leaving));
    }

    [Fact]
    public async Task Flushes_made_while_rebuilds_run_are_counted_once_as_a_quiet_rebuild_counts_them()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_rebuild_live");
        var today = AnalyticsDays.Of(DateTimeOffset.UtcNow);
        // No settling: the rebuilds follow one another as fast as they can, several during the traffic.
        await using var engine = await StartAsync(stores, new ShiftedClock(TimeSpan.Zero), settling: TimeSpan.Zero);
        var api = new EngineClient(engine.Channel);
        await CreateAdminAsync(api);
        var author = await api.CreateUserAsync("author");
        var readers = new[] { await api.CreateUserAsync("ann"), await api.CreateUserAsync("bob"), await api.CreateUserAsync("cyd"), await api.CreateUserAsync("dee") };
        var group = await api.CreateGroupAsync(author, GroupVisibility.Open);
        foreach (var reader in readers)
        {
            await api.AddMemberAsync(author, group.GroupId, reader);
        }

        var post = await api.PostAsync(author, "Quarterly town hall", group.GroupId);
        var network = new Network(author, group.GroupId, [post.PostId]);
        var recorder = engine.Services.GetRequiredService<AnalyticsRecorder>();
        var rebuild = engine.Services.GetRequiredService<IAnalyticsRebuild>();

        // Comments and reads, each followed by a flush, while rebuilds run one after the other.
        const int Rounds = 40;
        var traffic = Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                var reader = readers[round % readers.Length];
                await api.CommentAsync(reader, post.PostId);
                await api.ReadPostAsync(reader, post.PostId);
                await recorder.FlushAsync();
            }
        });
        var rebuilds = 0;
        while (!traffic.IsCompleted)
        {
            await rebuild.RebuildAsync();
            rebuilds++;
        }

        await traffic;
        Assert.True(rebuilds > 1, $"{rebuilds} rebuilds ran during the traffic");
        var stats = await AnalyticsCalls.EventuallyAsync(
            async () =>
            {
                await recorder.FlushAsync();
                return await NetworkStatsAsync(api, today);
            },
            s => s.Days[^1].Comments >= Rounds,
            "every comment counted");

        // Exactly what was done and what the journal holds: no flush lost, none counted twice.
        var day = stats.Days[^1];
        Assert.Equal((1L, (long)Rounds), (day.Posts, day.Comments));
        Assert.Equal((long)Rounds, await stores.SqlAsync($"SELECT count(*) FROM rse_analytics_journal WHERE kind = {(int)RseOrleans.Model.AnalyticsEntryKind.Comment}"));
        Assert.Equal<object?>(day.PostsServed, await stores.SqlAsync($"SELECT sum(count) FROM rse_analytics_journal WHERE kind = {(int)RseOrleans.Model.AnalyticsEntryKind.Served}"));
        var live = await FiguresAsync(api, network, today);

        await rebuild.RebuildAsync();

        Assert.Equal(live, await FiguresAsync(api, network, today));
    }

    [Fact]
    public async Task A_figure_being_rebuilt_counts_a_flush_once_whether_it_comes_live_or_replayed_first()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_rebuild_window");
        await using var engine = await StartAsync(stores, new ShiftedClock(TimeSpan.Zero));
        var grains = engine.Services.GetRequiredService<IGrainFactory>();
        var at = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var day = grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(AnalyticsDays.Of(at)));
        ActivityBatch Comment(params long[] flushes) => new([], [new PersonAct(1, AnalyticsAct.Comment, 7, at)]) { Flushes = flushes };

        await day.Record(Comment(40));
        await day.Reset();
        Assert.Equal(0L, (await day.Get()).Comments);

        Assert.True(await day.Record(Comment(41)));
        Assert.True(await day.Record(Comment(41)));
        Assert.True(await day.Record(Comment(42)));
        Assert.True(await day.Record(Comment(40)));
        Assert.Equal(3L, (await day.Get()).Comments);

        // A replayed page summing a flush counted live with one not counted yet is refused whole.
        Assert.False(await day.Record(Comment(42, 44)));
        Assert.True(await day.Record(Comment(41, 42)));
        Assert.Equal(3L, (await day.Get()).Comments);

        // Once the rebuild is done the grain remembers nothing: each batch counts.
        await day.EndRebuild();
        await day.Record(Comment(43));
        await day.Record(Comment());
        Assert.Equal(5L, (await day.Get()).Comments);
    }

    [Fact]
    public async Task A_flush_that_commits_late_or_whose_live_call_comes_late_is_counted_once_if_it_comes_while_the_rebuild_settles()
    {
        var stores = await DurableStores.CreateAsync(servers, "analytics_rebuild_settling");
        await using var engine = await StartAsync(stores, new ShiftedClock(TimeSpan.Zero), settling: TimeSpan.FromSeconds(5));
        var grains = engine.Services.GetRequiredService<IGrainFactory>();
        var journal = engine.Services.GetRequiredService<IAnalyticsJournal>();
        var at = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var day = grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(AnalyticsDays.Of(at)));
        AnalyticsEntry Act(AnalyticsEntryKind kind, int person) => new(kind, at) { Person = person, PostId = 7 };

        // Three flushes, each journaled then told, as the recorder does: a comment, then a reaction whose
        // number is drawn but whose commit is held, then a comment numbered after it.
        var first = new[] { Act(AnalyticsEntryKind.Comment, 1) };
        await AnalyticsBatches.Of(first, await journal.AppendAsync(first)).SendAsync(grains);
        await using var held = new NpgsqlConnection(stores.Postgres);
        await held.OpenAsync();
        await using var lateCommit = await held.BeginTransactionAsync();
        await using var draw = new NpgsqlCommand(
            $"INSERT INTO rse_analytics_journal (flush_id, at, post_id, person, count, kind) VALUES (nextval('rse_analytics_flush_seq'), $1, 7, 2, 1, {(int)AnalyticsEntryKind.Reaction}) RETURNING flush_id",
            held, lateCommit);
        draw.Parameters.Add(new() { Value = at });
        var lateFlush = (long)(await draw.ExecuteScalarAsync())!;
        await AnalyticsBatches.Of([Act(AnalyticsEntryKind.Reaction, 2)], lateFlush).SendAsync(grains);
        var third = new[] { Act(AnalyticsEntryKind.Comment, 3) };
        var thirdBatches = AnalyticsBatches.Of(third, await journal.AppendAsync(third));
        await thirdBatches.SendAsync(grains);
        Assert.Equal((2L, 1L), Counts(await day.Get()));

        // The rebuild empties the day and replays what is committed: the two comments.
        var rebuilding = engine.Services.GetRequiredService<IAnalyticsRebuild>().RebuildAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(rebuilding.IsCompleted, "the rebuild settles");
        Assert.Equal((2L, 0L), Counts(await day.Get()));

        // While it settles, the third flush's live call comes again (late), and the reaction commits.
        await thirdBatches.SendAsync(grains);
        await lateCommit.CommitAsync();
        await rebuilding;

        Assert.Equal((2L, 1L), Counts(await day.Get()));
    }

    private static (long Comments, long Reactions) Counts(NetworkDay day) => (day.Comments, day.Reactions);

    /// <summary>
    /// The database as a version without the journal leaves it once upgraded at <paramref name="upgrade"/>:
    /// no journal entry before then, 0009 applied then, and 0012's horizon set as it sets it on such a database.
    /// </summary>
    private static async Task UpgradeToTheJournalAsync(DurableStores stores, DateTimeOffset upgrade)
    {
        var then = upgrade.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await stores.SqlAsync($"DELETE FROM rse_analytics_journal WHERE at <= '{then}'");
        await stores.SqlAsync($"UPDATE rse_schema_version SET applied_at = '{then}' WHERE version = 9");
        await stores.SqlAsync("DELETE FROM rse_analytics_journal_horizon");
        await stores.SqlAsync(RseOrleans.Storage.Postgres.SchemaMigrator.Migrations.Single(migration => migration.Version == 12).Sql);
    }

    /// <summary>The engine, whose rebuilds settle for <paramref name="settling"/> (a fifth of a second unless said).</summary>
    private static Task<RunningEngine> StartAsync(DurableStores stores, ShiftedClock clock, TimeSpan? settling = null) =>
        stores.StartEngineAsync(
            "analytics-rebuild",
            builder => builder.Services.AddSingleton<TimeProvider>(clock),
            $"--Network:Admins:0={Admin}",
            $"--Analytics:RebuildSettling={settling ?? TimeSpan.FromSeconds(0.2)}");

    /// <summary>
    /// Four days of a group's life, the clock moved a day between them: posts, comments, reactions,
    /// a share, members added, one joining and leaving, and reads.
    /// </summary>
    private static async Task<Network> FourDaysAsync(EngineClient api, ShiftedClock clock)
    {
        await CreateAdminAsync(api);
        var author = await api.CreateUserAsync("author");
        var replier = await api.CreateUserAsync("replier");
        var reader = await api.CreateUserAsync("reader");
        var newcomer = await api.CreateUserAsync("newcomer");
        var group = await api.CreateGroupAsync(author, GroupVisibility.Open);
        foreach (var member in new[] { replier, reader, await api.CreateUserAsync("quiet"), await api.CreateUserAsync("silent") })
        {
            await api.AddMemberAsync(author, group.GroupId, member);
        }

        await api.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(newcomer));
        var opening = await api.PostAsync(author, "Kick-off notes", group.GroupId);
        var profile = await api.PostAsync(author, "On my profile");
        await api.CommentAsync(replier, opening.PostId);
        await api.ReactAsync(reader, opening.PostId);
        await api.ReadPostAsync(reader, opening.PostId);
        await api.ReadPostAsync(replier, profile.PostId);

        clock.Offset += TimeSpan.FromDays(1);
        var answer = await api.PostAsync(replier, "Follow-up", group.GroupId);
        await api.CommentAsync(author, answer.PostId);
        await api.ShareAsync(reader, opening.PostId);
        await api.ReadPostAsync(newcomer, opening.PostId);
        await api.ReadPostAsync(newcomer, answer.PostId);

        clock.Offset += TimeSpan.FromDays(1);
        await api.Groups.LeaveGroupAsync(new LeaveGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(newcomer));
        await api.ReactAsync(reader, answer.PostId);
        await api.ReadPostAsync(author, answer.PostId);

        clock.Offset += TimeSpan.FromDays(1);
        var closing = await api.PostAsync(author, "Wrap-up", group.GroupId);
        await api.CommentAsync(reader, closing.PostId);
        await api.ReadPostAsync(replier, closing.PostId);
        return new Network(author, group.GroupId, [opening.PostId, profile.PostId, answer.PostId, closing.PostId]);
    }

    /// <summary>Everything the statistics show of the network, its group and its posts from <paramref name="first"/> to today, as text.</summary>
    private static async Task<string> FiguresAsync(EngineClient api, Network network, DateOnly first)
    {
        var posts = await Task.WhenAll(network.Posts.Select(async postId =>
            (await api.Stats().GetPostStatsAsync(new GetPostStatsRequest { PostId = postId }, As(Admin))).ToString()));
        return string.Join("\n", [(await NetworkStatsAsync(api, first)).ToString(), (await GroupStatsAsync(api, network, first)).ToString(), .. posts]);
    }

    private static async Task<NetworkStats> NetworkStatsAsync(EngineClient api, DateOnly first) =>
        await api.Stats().GetNetworkStatsAsync(new GetNetworkStatsRequest { StartDate = AnalyticsDays.Key(first) }, As(Admin));

    private static async Task<GroupStats> GroupStatsAsync(EngineClient api, Network network, DateOnly first) =>
        await api.Stats().GetGroupStatsAsync(new GetGroupStatsRequest { GroupId = network.GroupId, StartDate = AnalyticsDays.Key(first) }, As(Admin));

    private static async Task CreateAdminAsync(EngineClient api) =>
        await api.Users.CreateUserAsync(new CreateUserRequest { RequestId = NewRequestId(), UserId = Admin, Profile = new Profile { DisplayName = "Admin" } });

    private sealed record Network(string Author, string GroupId, IReadOnlyList<string> Posts);
}

/// <summary>The embedded engine keeps its figures in memory only: there is no journal to rebuild them from.</summary>
[Collection(AnalyticsCollection.Name)]
public sealed class EmbeddedAnalyticsRebuildTests(EngineFixture engine)
{
    [Fact]
    public async Task Rebuilding_is_for_network_admins_and_the_embedded_engine_says_it_is_for_durable_mode()
    {
        var admin = await engine.NetworkAdminAsync();
        var member = await engine.CreateUserAsync("member");

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Stats().RebuildAnalyticsAsync(new RebuildAnalyticsRequest(), As(member)));
        var refusal = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Stats().RebuildAnalyticsAsync(new RebuildAnalyticsRequest(), As(admin)));
        Assert.Contains("durable mode", refusal, StringComparison.Ordinal);
    }
}
