using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using RseOrleans.Tests.Fixtures;
using StackExchange.Redis;

namespace RseOrleans.Tests.Cli;

/// <summary>
/// The fault steps of scripts/rehearse-faults.sh: scripts/dev-servers.sh stops and starts one server
/// alone, freezes and thaws PostgreSQL, and flushes Redis. Its own folder and ports, as the
/// README's durable-mode test.
/// </summary>
public sealed class DevServerFaultsTests
{
    [Fact]
    public async Task The_development_servers_stop_start_freeze_thaw_and_flush_one_at_a_time()
    {
        var folder = Directory.CreateTempSubdirectory("rse-dev-faults-");
        // As root the script runs PostgreSQL as the postgres user, who must be able to enter the folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_101_101);
        }

        var (pgPort, redisPort) = (RunningEngine.FreeTcpPort(), RunningEngine.FreeTcpPort());
        var environment = new Dictionary<string, string>
        {
            ["RSE_DEV_DIR"] = folder.FullName,
            ["RSE_DEV_PG_PORT"] = pgPort.ToString(CultureInfo.InvariantCulture),
            ["RSE_DEV_REDIS_PORT"] = redisPort.ToString(CultureInfo.InvariantCulture),
        };
        var postgres = $"Host=127.0.0.1;Port={pgPort};Username=postgres;Database=rse;Timeout=3;Command Timeout=3;Pooling=false";
        try
        {
            await RunAsync(environment, "start");
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisPort},abortConnect=false,connectTimeout=2000");
            await redis.GetDatabase().StringSetAsync("kept", "until flushed");

            await RunAsync(environment, "stop", "postgres");
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => QueryAsync(postgres));
            Assert.Equal("until flushed", (string?)await redis.GetDatabase().StringGetAsync("kept"));

            await RunAsync(environment, "start", "postgres");
            Assert.Equal(1, await QueryAsync(postgres));

            await RunAsync(environment, "freeze", "postgres");
            // Frozen, not stopped: the kernel still accepts the connection, nothing answers it.
            using (var socket = new TcpClient())
            {
                await socket.ConnectAsync("127.0.0.1", pgPort);
            }

            await Assert.ThrowsAnyAsync<Exception>(() => QueryAsync(postgres));
            await RunAsync(environment, "thaw", "postgres");
            Assert.Equal(1, await QueryAsync(postgres));

            await RunAsync(environment, "flush", "redis");
            Assert.False(await redis.GetDatabase().KeyExistsAsync("kept"));

            await RunAsync(environment, "stop", "redis");
            Assert.Equal(1, await QueryAsync(postgres));
        }
        finally
        {
            await ScriptAsync(environment, "thaw", "postgres");
            await ScriptAsync(environment, "stop");
            folder.Delete(recursive: true);
        }
    }

    private static async Task<int> QueryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private static async Task RunAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var (exitCode, output) = await ScriptAsync(environment, arguments);
        Assert.True(exitCode == 0, $"dev-servers.sh {string.Join(' ', arguments)} exited {exitCode}: {output}");
    }

    private static async Task<(int ExitCode, string Output)> ScriptAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(ReadmeSession.RepositoryRoot, "scripts", "dev-servers.sh"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var script = Process.Start(start)!;
        var output = script.StandardOutput.ReadToEndAsync();
        var errors = script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
        return (script.ExitCode, await output + await errors);
    }
}
