using Grpc.Core;
using RseOrleans.Cli.Load;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using Xunit.Abstractions;

namespace RseOrleans.Tests.Load;

/// <summary>The load generator's chaos schedule, through a real PostgreSQL outage under load.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class ChaosLoadTests(DatabaseServersFixture servers, ITestOutputHelper output) : IAsyncLifetime
{
    private DurableStores stores = null!;
    private RunningEngine engine = null!;

    public async Task InitializeAsync()
    {
        stores = await DurableStores.CreateAsync(servers, "chaos");
        engine = await stores.StartEngineAsync("chaos", "--Limits:WritesPerMinute=0");
    }

    public async Task DisposeAsync()
    {
        if (!servers.Postgres.IsRunning)
        {
            await servers.Postgres.StartAsync();
        }

        await engine.DisposeAsync();
    }

    [Fact]
    public async Task A_PostgreSQL_outage_under_load_answers_only_unavailable_and_the_report_shows_when_errors_stopped()
    {
        var settings = new LoadSettings(
            engine.Address,
            Users: 30,
            Groups: 3,
            Prefix: "chaos-",
            Duration: TimeSpan.FromSeconds(12),
            Concurrency: 8,
            Rate: null,
            Mix: new Dictionary<Operation, int> { [Operation.Read] = 50, [Operation.Post] = 20, [Operation.Comment] = 15, [Operation.React] = 15 },
            Watchers: 0,
            SeedOnly: false,
            SkipSeed: false,
            RandomSeed: 3,
            Output: null,
            Faults:
            [
                new Fault(TimeSpan.FromSeconds(2), "PostgreSQL stopped", _ => servers.Postgres.StopAsync()),
                new Fault(TimeSpan.FromSeconds(5), "PostgreSQL started", _ => servers.Postgres.StartAsync()),
            ]);
        var api = new LoadClients(engine.Channel);
        var network = await NetworkSeeder.SeedAsync(api, settings, create: true, CancellationToken.None);
        var report = new LoadReport();

        var elapsed = await new LoadRunner(api, settings, network, report).RunAsync(CancellationToken.None);

        var markdown = report.ToMarkdown(settings, elapsed);
        output.WriteLine(markdown);
        var phases = report.Phases(elapsed);
        Assert.Equal(["before the first fault", "1. PostgreSQL stopped", "2. PostgreSQL started"], phases.Select(p => p.Name));
        var (before, outage, after) = (phases[0], phases[1], phases[2]);
        Assert.True(before.Answered > 0 && before.Errors.Count == 0, markdown);
        Assert.True(outage.Errors.Count > 0, markdown);
        Assert.All(phases.SelectMany(p => p.Errors.Keys), status =>
            Assert.Contains(status, new[] { nameof(StatusCode.Unavailable), nameof(StatusCode.DeadlineExceeded) }));
        // Recovered: calls are answered again, and the errors stopped well before the run ended.
        Assert.True(after.Answered > 0, markdown);
        Assert.True(after.LastErrorAfter is null || after.LastErrorAfter < after.To - after.From - 2, markdown);
        Assert.Contains("| 1. PostgreSQL stopped |", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10s=mark:stop PostgreSQL now", 10, "stop PostgreSQL now")]
    [InlineData("1m30s=exec:redis-cli -p 6390 flushall", 90, "redis-cli -p 6390 flushall")]
    [InlineData("45=kill:4242", 45, "kill process 4242")]
    [InlineData("2.5s=term:17", 2.5, "term process 17")]
    public void A_fault_step_names_its_time_and_what_happens(string text, double seconds, string description)
    {
        var fault = Fault.Parse(text);

        Assert.Equal(TimeSpan.FromSeconds(seconds), fault.At);
        Assert.Equal(description, fault.Description);
    }

    [Theory]
    [InlineData("stop PostgreSQL")]
    [InlineData("10s=reboot:now")]
    [InlineData("soon=mark:x")]
    [InlineData("10s=kill:self")]
    public void A_fault_step_that_cannot_be_read_is_refused_with_the_syntax(string text) =>
        Assert.Contains("AT=mark:TEXT", Assert.Throws<ArgumentException>(() => Fault.Parse(text)).Message, StringComparison.Ordinal);
}
