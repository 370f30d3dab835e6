using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using RseOrleans.Api.V1;
using RseOrleans.Cli.Load;
using RseOrleans.Tests.Cli;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using Xunit.Abstractions;

namespace RseOrleans.Tests.Load;

/// <summary>
/// <c>rse load --engine</c>: the load generator starts engine processes itself, sends its calls to
/// all of them, kills, stops and starts them on its fault schedule, and stops them at the end.
/// </summary>
[Collection(DatabaseServersAloneCollection.Name)]
public sealed class LoadEngineTests(DatabaseServersFixture servers, ITestOutputHelper output)
{
    [Fact]
    public async Task Rse_load_starts_a_two_silo_cluster_kills_and_restarts_a_silo_on_schedule_and_stops_both_at_the_end()
    {
        var stores = await DurableStores.CreateAsync(servers, "load_engines");
        var cluster = $"load-engines-{Guid.NewGuid():N}";
        var (first, second) = (EngineArgument.Durable("silo-a", stores, cluster), EngineArgument.Durable("silo-b", stores, cluster));
        var results = Directory.CreateTempSubdirectory("rse-load-engines-");
        try
        {
            var (exitCode, printed) = await Transcript.RunAsync(new Uri("http://127.0.0.1:1"),
            [
                "load", "--users", "20", "--groups", "2", "--seconds", "40", "--concurrency", "4", "--watchers", "0",
                "--engine", first.Argument, "--engine", second.Argument,
                "--fault", "3s=kill:silo-b", "--fault", "5s=start:silo-b",
                "--fault", "14s=term:silo-b", "--fault", "15s=start:silo-b",
                // A start still waiting for its engine when the run ends is given up, not an error. The
                // run outlasts the last fault by 12 s: a restart can take 15 s on a busy machine, and
                // fault steps run one after the other.
                "--fault", "27s=kill:silo-b", "--fault", "28s=start:silo-b",
                "--out", results.FullName,
            ]);
            output.WriteLine(printed);

            Assert.True(exitCode == 0, printed);
            using var report = JsonDocument.Parse(File.ReadAllText(Assert.Single(results.GetFiles("load-*.json")).FullName));
            var phases = report.RootElement.GetProperty("faults").EnumerateArray().ToList();
            Assert.Equal(
                ["before the first fault", "1. kill -9 silo-b", "2. start silo-b", "3. SIGTERM silo-b", "4. start silo-b", "5. kill -9 silo-b", "6. start silo-b"],
                phases.Select(phase => phase.GetProperty("name").GetString()));
            Assert.Empty(phases[0].GetProperty("errors").EnumerateObject());
            // Served again after a start: calls answered, and no error in the last seconds before the next fault.
            var last = phases[4];
            Assert.True(last.GetProperty("answered").GetInt64() > 0, printed);
            Assert.True(
                last.GetProperty("lastErrorAfter").ValueKind == JsonValueKind.Null
                || last.GetProperty("lastErrorAfter").GetDouble() < last.GetProperty("to").GetDouble() - last.GetProperty("from").GetDouble() - 2,
                printed);
            Assert.Equal(["silo-a", "silo-b"], report.RootElement.GetProperty("engines").EnumerateArray().Select(e => e.GetProperty("name").GetString()));

            // Each start of an engine is in its log, the one the report names.
            Assert.Contains(LogOf(first), File.ReadAllText(Assert.Single(results.GetFiles("load-*.md")).FullName), StringComparison.Ordinal);
            Assert.Equal(1, CountStarts(first));
            Assert.Equal(4, CountStarts(second));
            // And both were stopped when the run ended.
            await AssertNotServingAsync(first.Address);
            await AssertNotServingAsync(second.Address);
        }
        finally
        {
            foreach (var log in results.GetFiles("engine-*.log"))
            {
                output.WriteLine($"{log.Name}:{Environment.NewLine}{string.Join(Environment.NewLine, File.ReadLines(log.FullName).TakeLast(40))}");
            }

            results.Delete(recursive: true);
        }

        string LogOf(EngineArgument engine) => Path.Combine(results.FullName, $"engine-{engine.Name}.log");
        int CountStarts(EngineArgument engine) =>
            File.ReadLines(LogOf(engine)).Count(line => line.StartsWith($"--- rse load: starting {engine.Name} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Calls_of_a_load_run_over_several_engines_go_to_each_in_turn()
    {
        // Two engines that do not share state: each user is made on exactly one of them.
        await using var first = await RunningEngine.StartAsync("spread-1");
        await using var second = await RunningEngine.StartAsync("spread-2");
        var api = new LoadClients(first.Channel, second.Channel);

        foreach (var user in new[] { "spread-u1", "spread-u2", "spread-u3", "spread-u4" })
        {
            await api.Users.CreateUserAsync(new CreateUserRequest { RequestId = user, UserId = user, Profile = new Profile { DisplayName = user } });
        }

        Assert.Equal(2, await CountUsersAsync(first));
        Assert.Equal(2, await CountUsersAsync(second));
    }

    [Fact]
    public async Task Calls_skip_an_engine_out_of_rotation_and_go_to_it_again_once_it_is_back()
    {
        await using var first = await RunningEngine.StartAsync("rotation-1");
        await using var second = await RunningEngine.StartAsync("rotation-2");
        var secondInRotation = false;
        var api = new LoadClients([first.Channel, second.Channel], engine => engine == 0 || secondInRotation);

        foreach (var user in new[] { "spread-u1", "spread-u2" })
        {
            await api.Users.CreateUserAsync(new CreateUserRequest { RequestId = user, UserId = user, Profile = new Profile { DisplayName = user } });
        }

        secondInRotation = true;
        foreach (var user in new[] { "spread-u3", "spread-u4" })
        {
            await api.Users.CreateUserAsync(new CreateUserRequest { RequestId = user, UserId = user, Profile = new Profile { DisplayName = user } });
        }

        Assert.Equal(3, await CountUsersAsync(first));
        Assert.Equal(1, await CountUsersAsync(second));
    }

    [Theory]
    [InlineData("40s=kill:silo-2", 40, "kill -9 silo-2")]
    [InlineData("1m=term:silo-1", 60, "SIGTERM silo-1")]
    [InlineData("70=start:silo-1", 70, "start silo-1")]
    [InlineData("80s=restart:silo-2", 80, "restart silo-2")]
    [InlineData("90s=kill:4242", 90, "kill process 4242")]
    public void A_fault_step_names_an_engine_the_run_started(string text, double seconds, string description)
    {
        var fault = Fault.Parse(text, Engines("silo-1", "silo-2"));

        Assert.Equal(TimeSpan.FromSeconds(seconds), fault.At);
        Assert.Equal(description, fault.Description);
    }

    [Fact]
    public void A_fault_step_naming_an_engine_that_was_not_given_is_refused_with_the_names_there_are()
    {
        var refusal = Assert.Throws<ArgumentException>(() => Fault.Parse("10s=kill:silo-9", Engines("silo-1", "silo-2")));

        Assert.Contains("silo-9 is not one of silo-1, silo-2", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("silo-1=dotnet silo.dll")]
    [InlineData("silo-1@127.0.0.1:5081=dotnet silo.dll")]
    [InlineData("1@http://127.0.0.1:5081=dotnet silo.dll")]
    [InlineData("silo-1@http://127.0.0.1:5081=")]
    public void An_engine_that_cannot_be_read_is_refused_with_the_syntax(string text) =>
        Assert.Contains("NAME@ADDRESS=COMMAND", Assert.Throws<ArgumentException>(() => LoadEngine.Parse(text, new DirectoryInfo("/tmp"))).Message, StringComparison.Ordinal);

    [Fact]
    public void An_engine_is_read_as_its_name_address_and_shell_command_with_a_log_of_its_own()
    {
        var engine = LoadEngine.Parse("silo-1@http://127.0.0.1:5081=dotnet silo.dll --urls http://127.0.0.1:5081 > /dev/null", new DirectoryInfo("/tmp/run"));

        Assert.Equal(("silo-1", new Uri("http://127.0.0.1:5081"), "dotnet silo.dll --urls http://127.0.0.1:5081 > /dev/null", "/tmp/run/engine-silo-1.log"),
            (engine.Name, engine.Address, engine.Command, engine.LogFile));
    }

    private static LoadEngine[] Engines(params string[] names) =>
        [.. names.Select(name => LoadEngine.Parse($"{name}@http://127.0.0.1:1=true", new DirectoryInfo(Path.GetTempPath())))];

    private static async Task<int> CountUsersAsync(RunningEngine engine)
    {
        var users = new Users.UsersClient(engine.Channel);
        var found = 0;
        foreach (var user in new[] { "spread-u1", "spread-u2", "spread-u3", "spread-u4" })
        {
            try
            {
                await users.GetUserAsync(new GetUserRequest { UserId = user }, LoadCallers.DevelopmentHeader.As(user));
                found++;
            }
            catch (RpcException error) when (error.StatusCode is StatusCode.NotFound or StatusCode.Unauthenticated)
            {
            }
        }

        return found;
    }

    private static async Task AssertNotServingAsync(Uri address)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5)));
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
    }

    /// <summary>One <c>--engine</c> value: a durable silo of the engine program built beside the tests, on free ports.</summary>
    private sealed record EngineArgument(string Name, Uri Address, string Argument)
    {
        public static EngineArgument Durable(string name, DurableStores stores, string cluster)
        {
            var address = new Uri($"http://127.0.0.1:{RunningEngine.FreeTcpPort()}");
            string[] words =
            [
                EngineLogCapture.Program,
                "--urls", address.ToString(),
                "--Http1Urls", "http://127.0.0.1:0",
                $"--Orleans:SiloPort={RunningEngine.FreeTcpPort()}",
                $"--Orleans:GatewayPort={RunningEngine.FreeTcpPort()}",
                $"--Orleans:ClusterId={cluster}",
                "--Engine:Mode=Durable",
                $"--ConnectionStrings:Postgres={stores.Postgres}",
                $"--ConnectionStrings:Redis={stores.Servers.RedisConnectionString}",
                $"--Durable:RedisKeyPrefix={cluster}:",
                "--Limits:WritesPerMinute=0",
                "--Logging:LogLevel:Default=Warning",
            ];
            // The command runs in /bin/sh: every word quoted, as the connection strings hold spaces and semicolons.
            var command = string.Join(' ', words.Select(word => $"'{word.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
            return new EngineArgument(name, address, $"{name}@{address}={command}");
        }
    }
}
