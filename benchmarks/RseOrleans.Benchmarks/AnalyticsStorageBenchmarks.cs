using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Api.Analytics;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.TestServers;

namespace RseOrleans.Benchmarks;

/// <summary>
/// What analytics stores in PostgreSQL for a company of <see cref="People"/> people and
/// <see cref="Groups"/> groups (100,000 and 10,000 unless RSE_ANALYTICS_PEOPLE and
/// RSE_ANALYTICS_GROUPS say otherwise), in durable mode: a sample of <see cref="SampleDays"/> days
/// (14) is written through the analytics grains as the recorder's flushes write it, for the whole
/// network, <see cref="SampleGroups"/> of the groups (500) and every post of those days, then the
/// grain state table is measured and each kind's bytes per day (network), per group and day, and per
/// post are scaled to two years (731 days). The setup prints the sample's sizes and the two-year
/// estimate ("// Analytics storage" lines, and <c>// figure</c> lines that run.sh's summary compares). People come as in <see cref="NetworkStatsBenchmarks"/>
/// (about 27 % active a day, one in five of them contributing); a group has 50 members on average
/// (people are in 5 groups) and each member is active in it on a quarter of days; 2,000 posts a day,
/// nine in ten read by 150 people, one in ten (announcements) by 5,000.
/// The measured operation is the network's figures over the sample days, read back in process.
/// </summary>
public class AnalyticsStorageBenchmarks : IAsyncDisposable
{
    private const int TwoYears = 731;
    private const int PostsPerDay = 2_000;
    private const int MembersPerGroup = 50;
    private static readonly string[] Kinds = ["analytics-network-day", "analytics-group-day", "analytics-post-reach"];

    private readonly PostgresServer postgres = new();
    private readonly RedisServer redis = new();
    private BenchmarkEngine engine = null!;
    private NetworkStatsReader reader = null!;

    public int People { get; } = Setting("RSE_ANALYTICS_PEOPLE", 100_000);

    public int Groups { get; } = Setting("RSE_ANALYTICS_GROUPS", 10_000);

    public int SampleDays { get; } = Setting("RSE_ANALYTICS_SAMPLE_DAYS", 14);

    public int SampleGroups { get; } = Setting("RSE_ANALYTICS_SAMPLE_GROUPS", 500);

    private static DateOnly Today => AnalyticsDays.Of(DateTimeOffset.UtcNow);

    private StatsRange Sample => new(Today.AddDays(1 - SampleDays), Today);

    [GlobalSetup]
    public async Task SetUp()
    {
        engine = await BenchmarkEngine.StartDurableAsync(postgres, redis);
        reader = engine.Services.GetRequiredService<NetworkStatsReader>();
        await WriteSampleAsync();
        await ReportSizesAsync();
    }

    [GlobalCleanup]
    public async Task TearDown() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (engine is not null)
        {
            await engine.DisposeAsync();
            engine = null!;
        }

        await postgres.DisposeAsync();
        await redis.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public Task<Api.V1.NetworkStats> NetworkStatsOfTheSampleDays() => reader.ReadAsync(Sample);

    private async Task WriteSampleAsync()
    {
        var grains = engine.Grains;
        var ids = Enumerable.Range(0, People).Select(i => $"person-{i}").ToArray();
        double[] habits = [.. Enumerable.Range(0, People).Select(i => (i % 5) switch { 0 => 0.8, 1 or 2 => 0.25, _ => 0.03 })];
        var random = new Random(23);
        // People numbered as the recorder numbers them, with a department, an office and a region
        // each, four in five of them having acted once.
        var people = grains.GetGrain<IAnalyticsPeopleGrain>(0);
        var numbers = await people.Number(ids);
        await people.Record(new PeopleChanges(
            [.. numbers.Where((_, i) => i % 5 != 4)],
            [.. numbers.Select((n, i) => new PersonPlace(n, $"Department {i % 40}", $"Office {i % 25}", i % 7 == 0 ? "America" : "Europe"))],
            []));

        var postId = 1_000_000L;
        // Which group each act of the network's day is in: its own generator, so the draws above stay as they were.
        var inGroup = new Random(29);
        for (var day = Sample.Start; day <= Sample.End; day = day.AddDays(1))
        {
            var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

            // The network's day.
            var readers = new List<int>();
            var acts = new List<PersonAct>();
            for (var i = 0; i < People; i++)
            {
                if (random.NextDouble() < habits[i])
                {
                    if (random.Next(5) == 0)
                    {
                        acts.Add(new PersonAct(numbers[i], (AnalyticsAct)(1 + random.Next(4)), PostId: postId, at) { GroupId = $"group-{inGroup.Next(Groups)}" });
                    }
                    else
                    {
                        readers.Add(numbers[i]);
                    }
                }
            }

            // The day's tallies of groups (as many as a day keeps) and its list of most served posts, full.
            await grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(day)).Record(new ActivityBatch(readers, acts)
            {
                Served = readers.Count * 20L,
                ServedPosts = Enumerable.Range(0, PostsPerDay).ToDictionary(p => postId + p, _ => 1),
            });

            // The sample groups' days: members active on a quarter of days, a few posts and acts each.
            await ForEachAsync(Enumerable.Range(0, SampleGroups), async g =>
            {
                var groupRandom = new Random(HashCode.Combine(g, day.DayNumber));
                var members = Enumerable.Range(0, MembersPerGroup).Select(m => numbers[(g * 7919 + m * 104_729) % People]).ToArray();
                var active = members.Where(_ => groupRandom.Next(4) == 0).ToArray();
                var groupPosts = Enumerable.Range(0, 1 + groupRandom.Next(3)).Select(p => postId + g * 3L + p).ToArray();
                var groupActs = active.Take(active.Length / 3)
                    .Select((member, k) => new PersonAct(member, (AnalyticsAct)(1 + (k % 4)), groupPosts[k % groupPosts.Length], at))
                    .ToArray();
                await grains.GetGrain<IGroupDayGrain>(AnalyticsDays.GroupKey($"group-{g}", day))
                    .Record(new ActivityBatch(active, groupActs) { ServedPosts = groupPosts.ToDictionary(p => p, _ => active.Length), MembersChange = groupRandom.Next(3) - 1 });
            });

            // The day's posts: who was served each, and who interacted.
            var dayFirst = postId;
            await ForEachAsync(Enumerable.Range(0, PostsPerDay), async p =>
            {
                var postRandom = new Random(HashCode.Combine(p, day.DayNumber, 1));
                var reach = p % 10 == 0 ? 5_000 : 150;
                var start = postRandom.Next(People);
                var served = Enumerable.Range(0, reach).Select(k => numbers[(start + k * 37) % People]).ToArray();
                var engaged = served.Take(reach / 20).Select((person, k) => new PersonAct(person, (AnalyticsAct)(2 + (k % 3)), dayFirst + p, at)).ToArray();
                var post = grains.GetGrain<IPostReachGrain>(dayFirst + p);
                await post.Created(numbers[start], p % 2 == 0 ? $"group-{p % SampleGroups}" : null, at);
                await post.Record(new ActivityBatch(served, engaged));
            });
            postId += PostsPerDay;
        }
    }

    private async Task ReportSizesAsync()
    {
        await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using (var vacuum = database.CreateCommand("VACUUM ANALYZE rse_grain_state"))
        {
            await vacuum.ExecuteNonQueryAsync();
        }

        // Each kind's rows and stored payload (after PostgreSQL's compression), and the whole table
        // with its indexes and TOAST, to carry the table's overhead over to the estimate.
        var payloads = new Dictionary<string, (long Rows, long Bytes)>(StringComparer.Ordinal);
        await using (var kinds = database.CreateCommand(
            "SELECT grain_type, count(*), sum(pg_column_size(payload))::bigint FROM rse_grain_state WHERE grain_type LIKE 'analytics-%' GROUP BY grain_type"))
        await using (var rows = await kinds.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                payloads[rows.GetString(0)] = (rows.GetInt64(1), rows.GetInt64(2));
            }
        }

        await using var total = database.CreateCommand("SELECT pg_total_relation_size('rse_grain_state'), (SELECT sum(pg_column_size(payload))::bigint FROM rse_grain_state)");
        await using var sizes = await total.ExecuteReaderAsync();
        await sizes.ReadAsync();
        var overhead = (double)sizes.GetInt64(0) / sizes.GetInt64(1);

        double PerRow(string kind) => payloads.TryGetValue(kind, out var p) && p.Rows > 0 ? (double)p.Bytes / p.Rows : 0;
        var network = PerRow("analytics-network-day") * TwoYears;
        var groups = PerRow("analytics-group-day") * Groups * TwoYears;
        var posts = PerRow("analytics-post-reach") * PostsPerDay * TwoYears;
        // The people are rows of their own table (migration 0014): its size already holds its overhead.
        await using var peopleTable = database.CreateCommand("SELECT pg_total_relation_size('rse_analytics_people')");
        var accounts = (long)(await peopleTable.ExecuteScalarAsync())!;
        foreach (var kind in Kinds.Where(payloads.ContainsKey))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// Analytics storage: {kind}: {payloads[kind].Rows:N0} rows, {PerRow(kind) / 1024:F1} KB a row"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// Analytics storage: two years of {People:N0} people and {Groups:N0} groups: network days {Gb(network * overhead):F2} GB, group days {Gb(groups * overhead):F2} GB, posts' reach {Gb(posts * overhead):F2} GB, people {Gb(accounts):F3} GB; total {Gb(((network + groups + posts) * overhead) + accounts):F1} GB (table overhead x{overhead:F2})"));

        // The same as figures run.sh's summary compares across runs.
        Figure("NetworkDays", network * overhead);
        Figure("GroupDays", groups * overhead);
        Figure("PostsReach", posts * overhead);
        Figure("Total", ((network + groups + posts) * overhead) + accounts);

        static double Gb(double bytes) => bytes / (1024.0 * 1024 * 1024);

        static void Figure(string part, double bytes) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// figure {nameof(AnalyticsStorageBenchmarks)}.TwoYears({part}) {Gb(bytes):F3} GB"));
    }

    private static Task ForEachAsync(IEnumerable<int> items, Func<int, Task> body) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (item, _) => await body(item));

    private static int Setting(string name, int fallback) =>
        int.Parse(Environment.GetEnvironmentVariable(name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
