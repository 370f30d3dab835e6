using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace RseOrleans.Cli.Load;

/// <summary>
/// An engine that <c>rse load</c> runs itself (<c>--engine NAME@ADDRESS=COMMAND</c>): started and
/// waited for before the run, killed, stopped and started again by fault steps, stopped at the end.
/// </summary>
internal sealed partial class LoadEngine(string name, Uri address, string command, string logFile) : IAsyncDisposable
{
    public const string Syntax = "NAME@ADDRESS=COMMAND, e.g. silo-1@http://127.0.0.1:5081=dotnet RseOrleans.Silo.dll --urls http://127.0.0.1:5081";

    /// <summary>A durable silo joins its cluster and migrates its schema before it serves.</summary>
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(120);

    /// <summary>What a graceful stop gets before SIGKILL: Kubernetes' default grace period.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private ProcessGroup? process;

    public string Name => name;

    public Uri Address => address;

    public string Command => command;

    /// <summary>
    /// Whether calls go to this engine: from when a start finds it serving until a fault step
    /// kills or stops it, as a load balancer takes a deleted pod out of rotation.
    /// </summary>
    public bool InRotation { get; private set; }

    /// <summary>Where the engine's output goes, every start of it appended.</summary>
    public string LogFile => logFile;

    /// <summary>Parses one <c>--engine</c> value; its log goes to <c>engine-NAME.log</c> in <paramref name="logs"/>.</summary>
    public static LoadEngine Parse(string text, DirectoryInfo logs)
    {
        var match = EnginePattern().Match(text);
        if (!match.Success
            || !Uri.TryCreate(match.Groups["address"].Value, UriKind.Absolute, out var address)
            || address.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--engine: '{text}' is not {Syntax}.");
        }

        var name = match.Groups["name"].Value;
        return new LoadEngine(name, address, match.Groups["command"].Value.Trim(), Path.Combine(logs.FullName, $"engine-{name}.log"));
    }

    /// <summary>
    /// Starts the engine and waits until its gRPC health service answers SERVING; returns how long
    /// that took. A start after a SIGTERM first waits for the stopping engine to end.
    /// </summary>
    public async Task<TimeSpan> StartAsync(CancellationToken cancellation)
    {
        if (process is not null)
        {
            if (!await process.WaitForExitAsync(StopGrace))
            {
                throw new InvalidOperationException($"engine {name} is still running: stop it (kill:{name} or term:{name}) before starting it again");
            }

            process.Dispose();
        }

        var clock = Stopwatch.StartNew();
        await File.AppendAllTextAsync(
            logFile, $"--- rse load: starting {name} at {DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)}{Environment.NewLine}", cancellation);
        process = ProcessGroup.Start(command, logFile);

        using var channel = GrpcChannel.ForAddress(address);
        var health = new Health.HealthClient(channel);
        while (true)
        {
            if (!process.IsRunning)
            {
                throw new InvalidOperationException($"engine {name} exited while starting (log: {logFile})");
            }

            if (clock.Elapsed > StartPatience)
            {
                throw new InvalidOperationException($"engine {name} did not answer SERVING at {address} within {StartPatience.TotalSeconds:F0} s (log: {logFile})");
            }

            try
            {
                var answer = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellation);
                if (answer.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    InRotation = true;
                    return clock.Elapsed;
                }
            }
            catch (RpcException)
            {
                // Not listening yet, or not ready to serve; or the run ended while it started.
                cancellation.ThrowIfCancellationRequested();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellation);
        }
    }

    /// <summary>SIGKILL to the engine's processes: no shutdown, no goodbye to the cluster.</summary>
    public void Kill() => EnsureDelivered(process?.Kill() ?? false, "SIGKILL");

    /// <summary>SIGTERM to the engine's processes: a graceful stop, as on a pod deletion. Does not wait.</summary>
    public void Terminate() => EnsureDelivered(process?.Terminate() ?? false, "SIGTERM");

    private void EnsureDelivered(bool delivered, string signal)
    {
        InRotation = false;
        if (!delivered)
        {
            throw new InvalidOperationException($"{signal} to engine {name}: it was not running");
        }
    }

    /// <summary>Stops the engine as Kubernetes does: SIGTERM, then SIGKILL if it still runs after the grace period.</summary>
    public async Task StopAsync()
    {
        InRotation = false;
        if (process is null || !process.IsRunning)
        {
            return;
        }

        _ = process.Terminate();
        if (!await process.WaitForExitAsync(StopGrace))
        {
            await Console.Error.WriteLineAsync($"engine {name} did not stop within {StopGrace.TotalSeconds:F0} s of SIGTERM: killed");
            _ = process.Kill();
            await process.WaitForExitAsync(TimeSpan.FromSeconds(5));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process?.Dispose();
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z][A-Za-z0-9_.-]*)@(?<address>[^=\s]+)=(?<command>.*\S.*)$", RegexOptions.Singleline)]
    private static partial Regex EnginePattern();
}
