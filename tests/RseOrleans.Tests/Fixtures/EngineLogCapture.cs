using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Grpc.Net.Client;

namespace RseOrleans.Tests.Fixtures;

/// <summary>The engine program itself, run as an operator runs it, for what it prints.</summary>
public static partial class EngineLogCapture
{
    private const int Sigterm = 15;

    /// <summary>The engine program built beside the tests.</summary>
    public static string Program => Path.Combine(AppContext.BaseDirectory, "RseOrleans.Silo");

    public static bool IsStackFrame(string line) => StackFrame().IsMatch(line);

    /// <summary>
    /// The warnings an engine gives about its own behaviour. Left out: the development engine's
    /// deliberate warning, and Orleans' reports of a slow host (thread pool stalls, long work items,
    /// late watchdog checks), which say how busy the test machine is, not what the engine did.
    /// </summary>
    public static List<string> EngineWarnings(IEnumerable<string> log) =>
        [.. log.Where(line => line.StartsWith("warn:", StringComparison.Ordinal)
            && !line.Contains("DevelopmentModeWarning", StringComparison.Ordinal)
            && !IsHostLoadWarning(line))];

    /// <summary>"warn: Orleans.….LocalSiloHealthMonitor[0]" and the like, whatever the namespace.</summary>
    private static bool IsHostLoadWarning(string line) =>
        line.StartsWith("warn: Orleans.", StringComparison.Ordinal)
        && HostLoadReporters.Any(reporter => line.Contains($".{reporter}[", StringComparison.Ordinal));

    private static readonly string[] HostLoadReporters = ["LocalSiloHealthMonitor", "WorkItemGroup", "Watchdog"];

    /// <summary>
    /// Runs the engine on free loopback ports with <paramref name="settings"/>, acts as a client,
    /// stops it with SIGTERM as Kubernetes does, and returns everything it printed. The program must
    /// exit with code 0 within <paramref name="stopWithin"/> (60 s unless given) of the signal.
    /// </summary>
    public static async Task<List<string>> RunAsync(IEnumerable<string> settings, Func<EngineClient, Task> act, TimeSpan? stopWithin = null)
    {
        var port = RunningEngine.FreeTcpPort();
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[
            "--urls", $"http://127.0.0.1:{port}",
            "--Http1Urls", "http://127.0.0.1:0",
            $"--Orleans:SiloPort={RunningEngine.FreeTcpPort()}", $"--Orleans:GatewayPort={RunningEngine.FreeTcpPort()}",
            $"--Orleans:ClusterId=process-{Guid.NewGuid():N}", .. settings])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CONSOLE_ANSI_COLOR"] = "false";
        var log = new List<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var engine = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.Add(line.Data);
            }

            if (line.Data.Contains("Application started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        engine.OutputDataReceived += collect;
        engine.ErrorDataReceived += collect;
        engine.Start();
        engine.BeginOutputReadLine();
        engine.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using (var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}"))
            {
                await act(new EngineClient(channel));
            }

            Assert.Equal(0, SendSignal(engine.Id, Sigterm));
            var patience = stopWithin ?? TimeSpan.FromSeconds(60);
            try
            {
                await engine.WaitForExitAsync().WaitAsync(patience);
            }
            catch (TimeoutException)
            {
                lock (log)
                {
                    Assert.Fail($"The engine did not exit within {patience.TotalSeconds} s of SIGTERM. It printed:{Environment.NewLine}{string.Join(Environment.NewLine, log)}");
                }
            }

            Assert.Equal(0, engine.ExitCode);
        }
        finally
        {
            if (!engine.HasExited)
            {
                engine.Kill(entireProcessTree: true);
            }
        }

        lock (log)
        {
            return [.. log];
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);

    [GeneratedRegex(@"^\s+at \S+\(")]
    private static partial Regex StackFrame();
}
