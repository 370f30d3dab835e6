using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.Analytics;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// What counting reach and activity costs the read path: 64 home-feed pages read at once over gRPC
/// with verified tokens (the readers of <see cref="FeedReadBenchmarks"/>), with analytics on and off
/// in the same run. With analytics on, every page queues its served posts for the recorder, whose
/// flushes (once a second) write the day, group and post grains in the same process. The first case
/// of a process still warms it up, so a comparison runs each case alone: RSE_BENCH_ANALYTICS=on or off.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(AnalyticsOnFirst))]
public class AnalyticsReadCostBenchmarks
{
    private const int Concurrent = 64;
    private BenchmarkEngine engine = null!;
    private Feeds.FeedsClient feeds = null!;
    private readonly Metadata[] readers = [.. Enumerable.Range(0, Concurrent).Select(i => BenchmarkTokens.Caller($"reader-{i}"))];

    /// <summary>On first (<see cref="AnalyticsOnFirst"/>) when both run in one process: a run with analytics on second would flatter it.</summary>
    [ParamsSource(nameof(AnalyticsCases))]
    public bool AnalyticsOn { get; set; }

    /// <summary>Both by default; RSE_BENCH_ANALYTICS=on or off runs one.</summary>
    public static IEnumerable<bool> AnalyticsCases => OneCasePerProcess.OnOff("RSE_BENCH_ANALYTICS", true, false);

    public sealed class AnalyticsOnFirst() : TrueCasesFirst(nameof(AnalyticsOn));

    [GlobalSetup]
    public async Task SetUp()
    {
        engine = await BenchmarkEngine.StartAsync([$"--Analytics:Enabled={AnalyticsOn}", .. BenchmarkTokens.EngineArguments]);
        await ColleagueNetwork.SeedAsync(engine.Grains, [.. Enumerable.Range(0, Concurrent).Select(i => $"reader-{i}")]);
        feeds = new Feeds.FeedsClient(engine.Channel);
        await GrpcPagesConcurrently();
    }

    [GlobalCleanup]
    public Task TearDown() => engine.DisposeAsync().AsTask();

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task GrpcPagesConcurrently() =>
        Task.WhenAll(readers.Select(caller => feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 20 }, caller).ResponseAsync));
}

/// <summary>
/// <c>GetNetworkStats</c> for a year, through the API with a network admin's verified token, over a
/// year and 27 days of history (the 28-day window of the first day) for
/// <see cref="People"/> people (100,000 unless RSE_ANALYTICS_PEOPLE says otherwise) with profiles
/// in eight departments and six offices. Each person has a habit: a fifth come on 80 % of days, two
/// fifths on a quarter of days, the rest on 3 % of days (about 27 % of people active a day); one active
/// person in five contributes that day. History is written through the network day grains'
/// <c>Record</c>, as the recorder's flushes write it (people numbered by the analytics people grain). Each call's latency is recorded on its own;
/// <see cref="NetworkStatsForAYearWithoutBreakdowns"/> is the same read in process without the
/// department, office and region breakdowns, to show where the time goes.
/// </summary>
[Config(typeof(LatencyColumns))]
public class NetworkStatsBenchmarks
{
    private const int CallsPerInvocation = 5;
    private const string Admin = "stats-admin";
    private static readonly string[] Departments = ["Engineering", "Finance", "Ressources humaines", "Ventes", "Marketing", "Support", "Direction", "Design"];
    private static readonly string[] Offices = ["Paris", "Lyon", "London", "Orléans", "Montréal", "Berlin"];
    private static readonly string[] Zones = ["Europe/Paris", "Europe/Paris", "Europe/London", "Europe/Paris", "America/Toronto", "Europe/Berlin"];

    private readonly OperationLatencies throughApi = new("GetNetworkStats (year)");
    private readonly OperationLatencies inProcess = new("NetworkStatsReader (year, no breakdowns)");
    private BenchmarkEngine engine = null!;
    private Analytics.AnalyticsClient analytics = null!;
    private NetworkStatsReader reader = null!;
    private readonly Metadata asAdmin = BenchmarkTokens.Caller(Admin);

    public int People { get; } = int.Parse(Environment.GetEnvironmentVariable("RSE_ANALYTICS_PEOPLE") ?? "100000", System.Globalization.CultureInfo.InvariantCulture);

    private static DateOnly Today => AnalyticsDays.Of(DateTimeOffset.UtcNow);

    private static StatsRange Year => new(Today.AddDays(-364), Today);

    [GlobalSetup]
    public async Task SetUp()
    {
        engine = await BenchmarkEngine.StartAsync([.. BenchmarkTokens.EngineArguments]);
        analytics = new Analytics.AnalyticsClient(engine.Channel);
        reader = engine.Services.GetRequiredService<NetworkStatsReader>();
        var grains = engine.Grains;

        var seeding = Stopwatch.StartNew();
        await grains.GetGrain<IUserGrain>(Admin).Create(new UserProfile("Stats Admin", "Communications", "Direction", "Paris", "Europe/Paris", "fr-FR", []));
        await grains.GetGrain<IUserGrain>(Admin).SetNetworkRole(RseOrleans.Model.NetworkRole.Admin, Admin, "bench-admin");
        var ids = Enumerable.Range(0, People).Select(i => $"person-{i}").ToArray();
        for (var start = 0; start < People; start += 1_000)
        {
            await Task.WhenAll(ids.Skip(start).Take(1_000).Select((id, k) =>
            {
                var i = start + k;
                return grains.GetGrain<IUserGrain>(id).Create(new UserProfile($"Person {i}", "Employee", Departments[i % Departments.Length], Offices[i % Offices.Length], Zones[i % Zones.Length], "fr-FR", []));
            }));
        }

        var numbers = await grains.GetGrain<IAnalyticsPeopleGrain>(0).Number(ids);

        // A person's habit: the share of days they come on.
        double[] habits = [.. Enumerable.Range(0, People).Select(i => (i % 5) switch { 0 => 0.8, 1 or 2 => 0.25, _ => 0.03 })];
        var random = new Random(17);
        var first = Year.Start.AddDays(-27);
        for (var day = first; day <= Today; day = day.AddDays(1))
        {
            var readers = new List<int>();
            var acts = new List<PersonAct>();
            var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
            for (var i = 0; i < People; i++)
            {
                if (random.NextDouble() < habits[i])
                {
                    if (random.Next(5) == 0)
                    {
                        acts.Add(new PersonAct(numbers[i], (AnalyticsAct)(1 + random.Next(4)), PostId: 1, at));
                    }
                    else
                    {
                        readers.Add(numbers[i]);
                    }
                }
            }

            await grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(day)).Record(new ActivityBatch(readers, acts) { Served = readers.Count * 20L });
        }

        Console.WriteLine($"// Analytics history: {People:N0} people, {Today.DayNumber - first.DayNumber + 1} days written in {seeding.Elapsed.TotalSeconds:F0} s");
    }

    [GlobalCleanup]
    public Task TearDown() => engine.DisposeAsync().AsTask();

    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public async Task GetNetworkStatsForAYear()
    {
        var request = new GetNetworkStatsRequest { StartDate = AnalyticsDays.Key(Year.Start), EndDate = AnalyticsDays.Key(Year.End) };
        for (var i = 0; i < CallsPerInvocation; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var stats = await analytics.GetNetworkStatsAsync(request, asAdmin);
            throughApi.RecordSince(started);
            Check(stats);
        }

        throughApi.Report();
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public async Task NetworkStatsForAYearWithoutBreakdowns()
    {
        for (var i = 0; i < CallsPerInvocation; i++)
        {
            var started = Stopwatch.GetTimestamp();
            Check(await reader.ReadAsync(Year));
            inProcess.RecordSince(started);
        }

        inProcess.Report();
    }

    /// <summary>A figure over an empty answer is no figure.</summary>
    private static void Check(NetworkStats stats)
    {
        if (stats.Days.Count != 365 || stats.ActiveInRange == 0)
        {
            throw new InvalidOperationException($"GetNetworkStats answered {stats.Days.Count} days and {stats.ActiveInRange} people active in the year.");
        }
    }
}
