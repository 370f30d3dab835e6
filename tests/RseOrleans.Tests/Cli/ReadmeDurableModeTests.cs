using System.Diagnostics;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Cli;

/// <summary>
/// The README's durable mode on one machine, line by line: the development servers start and print
/// the settings, the engine runs durable with them, and the servers stop. Its own folder and ports
/// (the script's RSE_DEV_* variables), so that it never meets a developer's .dev/.
/// </summary>
public sealed class ReadmeDurableModeTests
{
    [Fact]
    public async Task The_durable_mode_lines_of_the_README_start_the_servers_run_the_engine_on_them_and_stop_them()
    {
        var readme = File.ReadAllText(ReadmeSession.ReadmePath);
        Assert.Contains("eval \"$(scripts/dev-servers.sh start)\"", readme, StringComparison.Ordinal);
        Assert.Contains("scripts/dev-servers.sh stop", readme, StringComparison.Ordinal);
        var folder = Directory.CreateTempSubdirectory("rse-dev-");
        // As root the script runs PostgreSQL as the postgres user, who must be able to enter the folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_101_101);
        }
        var environment = new Dictionary<string, string>
        {
            ["RSE_DEV_DIR"] = folder.FullName,
            ["RSE_DEV_PG_PORT"] = RunningEngine.FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RSE_DEV_REDIS_PORT"] = RunningEngine.FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        try
        {
            var (started, exports) = await ScriptAsync("start", environment);
            Assert.True(started == 0, exports);
            var settings = exports.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line["export ".Length..].Split('=', 2))
                .Select(pair => $"--{pair[0].Replace("__", ":", StringComparison.Ordinal)}={pair[1].Trim('\'')}")
                .ToList();
            Assert.Contains("--Engine:Mode=Durable", settings);

            var log = await EngineLogCapture.RunAsync(settings, async client =>
            {
                var alice = await client.CreateUserAsync("alice");
                await client.PostAsync(alice, "kept in PostgreSQL");
            });

            Assert.Contains(log, line => line.Contains("PostgreSQL and Redis reached", StringComparison.Ordinal));
            Assert.Equal(0, (await ScriptAsync("stop", environment)).ExitCode);
            Assert.Equal(3, (await ScriptAsync("status", environment)).ExitCode);
        }
        finally
        {
            await ScriptAsync("stop", environment);
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> ScriptAsync(string verb, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(ReadmeSession.RepositoryRoot, "scripts", "dev-servers.sh"), verb])
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
        return (script.ExitCode, script.ExitCode == 0 ? await output : await output + await errors);
    }
}
