using System.Text.Json;
using RseOrleans.Cli.Load;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Load;

[Collection(EngineCollection.Name)]
public sealed class LoadGeneratorTests(EngineFixture engine)
{
    private static readonly Dictionary<Operation, int> EveryOperation = new()
    {
        [Operation.Read] = 40,
        [Operation.Post] = 40,
        [Operation.Comment] = 10,
        [Operation.React] = 10,
    };

    [Fact]
    public void Calls_are_cut_into_windows_by_when_they_were_answered_deliveries_aside()
    {
        var report = new LoadReport();
        report.Begin();
        report.Record("read", TimeSpan.FromMilliseconds(2));
        report.Record("post", TimeSpan.FromMilliseconds(4));
        report.Record("read", TimeSpan.FromMilliseconds(2));
        report.Record(LoadReport.Delivery, TimeSpan.FromMilliseconds(50));

        var window = Assert.Single(report.Windows());

        Assert.Equal((0.0, 5.0, 3L), (window.From, window.To, window.Count));
        Assert.Equal(2.0, window.P50, precision: 2);
        Assert.Equal(4.0, window.Max, precision: 2);
        var settings = Settings(rate: null, watchers: 0);
        Assert.Contains("| 0 | 5 | 3 | 2.00 | 4.00 | 4.00 |", report.ToMarkdown(settings, TimeSpan.FromSeconds(1)), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(report.ToJson(settings, TimeSpan.FromSeconds(1)));
        Assert.Equal(3, json.RootElement.GetProperty("windows")[0].GetProperty("count").GetInt64());
    }

    [Fact]
    public void What_is_answered_during_the_warm_up_is_not_counted()
    {
        var report = new LoadReport();
        report.WarmUp();
        report.Record("read", TimeSpan.FromMilliseconds(300));
        report.RecordError("post", Grpc.Core.StatusCode.Unavailable);
        report.Begin();
        report.Record("read", TimeSpan.FromMilliseconds(2));

        var read = Assert.Single(report.Summarize(TimeSpan.FromSeconds(1)));
        Assert.Equal((1L, 2.0), (read.Count, read.Max));
        Assert.Equal(0, report.Failed);
    }

    [Fact]
    public async Task A_run_with_a_warm_up_counts_only_the_traffic_after_it()
    {
        var settings = Settings(rate: 200, watchers: 0) with { Warmup = TimeSpan.FromSeconds(1) };
        var api = new LoadClients(engine.Channel);
        var network = await NetworkSeeder.SeedAsync(api, settings, create: true, CancellationToken.None);
        var report = new LoadReport();

        var elapsed = await new LoadRunner(api, settings, network, report).RunAsync(CancellationToken.None);

        // At most the 2 s counted at 200 calls a second (about 400), not the 3 s sent (about 600).
        Assert.InRange(report.Completed, 1, 500);
        Assert.Contains("after 1 s of warm-up not counted", report.ToMarkdown(settings, elapsed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_loop_run_seeds_the_network_sends_every_operation_measures_delivery_and_stops_by_itself()
    {
        var settings = Settings(rate: null, watchers: 3);
        var api = new LoadClients(engine.Channel);

        var network = await NetworkSeeder.SeedAsync(api, settings, create: true, CancellationToken.None);
        var report = new LoadReport();
        var elapsed = await new LoadRunner(api, settings, network, report).RunAsync(CancellationToken.None);

        Assert.True(report.Failed == 0, report.ToMarkdown(settings, elapsed));
        var summary = report.Summarize(elapsed).ToDictionary(s => s.Operation);
        foreach (var operation in new[] { "read", "post", "comment", "react", LoadReport.Delivery })
        {
            Assert.True(summary.TryGetValue(operation, out var measured) && measured.Count > 0, $"{operation} was measured");
            Assert.True(measured!.P50 <= measured.P99 && measured.P99 <= measured.Max);
        }

        Assert.Contains("| operation | count | per second |", report.ToMarkdown(settings, elapsed), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(report.ToJson(settings, elapsed));
        Assert.Equal("closed", json.RootElement.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task An_open_loop_run_sends_at_the_requested_rate_against_an_already_seeded_network()
    {
        var seeded = Settings(rate: null, watchers: 0);
        var api = new LoadClients(engine.Channel);
        await NetworkSeeder.SeedAsync(api, seeded, create: true, CancellationToken.None);

        var settings = seeded with { Rate = 40, SkipSeed = true };
        var network = await NetworkSeeder.SeedAsync(api, settings, create: false, CancellationToken.None);
        var report = new LoadReport();
        var elapsed = await new LoadRunner(api, settings, network, report).RunAsync(CancellationToken.None);

        Assert.Equal(0, report.Failed);
        // An open loop never sends more than its schedule: 40 a second for two seconds, plus the first.
        Assert.InRange(report.Completed, 1, 81);
        Assert.Equal(3, network.Groups.Length);
        Assert.All(network.Groups, groupId => Assert.False(string.IsNullOrEmpty(groupId)));
        Assert.Contains("open loop at 40 ops/s", report.ToMarkdown(settings, elapsed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Searches_in_the_mix_are_sent_and_measured_and_find_the_posts_of_the_run()
    {
        var settings = Settings(rate: null, watchers: 0) with { Mix = new Dictionary<Operation, int> { [Operation.Post] = 30, [Operation.Search] = 70 } };
        var api = new LoadClients(engine.Channel);

        var network = await NetworkSeeder.SeedAsync(api, settings, create: true, CancellationToken.None);
        var report = new LoadReport();
        var elapsed = await new LoadRunner(api, settings, network, report).RunAsync(CancellationToken.None);

        Assert.True(report.Failed == 0, report.ToMarkdown(settings, elapsed));
        var summary = report.Summarize(elapsed).ToDictionary(s => s.Operation);
        Assert.True(summary.TryGetValue("search", out var searches) && searches.Count > 0, "searches were measured");
        Assert.True(searches!.P50 <= searches.P99 && searches.P99 <= searches.Max);

        // What the run searched for is there to find: its own posts.
        var found = await api.Search.SearchPostsAsync(LoadSearch.Request(0, network), LoadCallers.DevelopmentHeader.As(network.Users[0]));
        Assert.NotEmpty(found.Hits);
    }

    [Fact]
    public void Zipf_draws_favour_the_first_ranks_and_stay_in_range()
    {
        var zipf = new Zipf(100);
        var random = new Random(3);
        var counts = new int[100];
        for (var i = 0; i < 100_000; i++)
        {
            counts[zipf.Next(random)]++;
        }

        Assert.True(counts[0] > 10 * counts[50], "rank 0 is far more popular than rank 50");
        Assert.True(counts[0] > counts[1] && counts[1] > counts[9]);
        Assert.Equal(100_000, counts.Sum());
    }

    private LoadSettings Settings(int? rate, int watchers) => new(
        engine.Address,
        Users: 30,
        Groups: 3,
        Prefix: $"lt{Guid.NewGuid():N}"[..8] + "-",
        Duration: TimeSpan.FromSeconds(2),
        Concurrency: 4,
        Rate: rate,
        Mix: EveryOperation,
        Watchers: watchers,
        SeedOnly: false,
        SkipSeed: false,
        RandomSeed: 1,
        Output: null);
}
