using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RseOrleans.Cli.Load;

/// <summary>
/// One step of a chaos schedule: at <see cref="At"/> into the run, something happens to the engine
/// or its stores. The load generator cannot stop a database on another machine, so a step is either
/// a mark (it prints what the operator should do now) or something it can do itself: signal a
/// process it may reach, or run a command (a script that stops PostgreSQL, restarts a silo…).
/// </summary>
internal sealed partial record Fault(TimeSpan At, string Description, Func<CancellationToken, Task> Act)
{
    public const string Syntax = "AT=mark:TEXT | AT=kill:PID | AT=term:PID | AT=exec:COMMAND, AT like 10s, 1m30s or 90";

    /// <summary>Parses one <c>--fault</c> value, e.g. <c>20s=exec:pg_ctl -D /srv/pg stop</c>.</summary>
    public static Fault Parse(string text)
    {
        var match = FaultPattern().Match(text);
        if (!match.Success || ParseOffset(match.Groups["at"].Value) is not { } at)
        {
            throw new ArgumentException($"--fault: '{text}' is not {Syntax}.");
        }

        var argument = match.Groups["argument"].Value;
        return match.Groups["action"].Value switch
        {
            "mark" => new Fault(at, argument, _ => Task.CompletedTask),
            "kill" or "term" when int.TryParse(argument, CultureInfo.InvariantCulture, out var pid) =>
                new Fault(at, $"{match.Groups["action"].Value} process {pid}", _ => SignalAsync(pid, match.Groups["action"].Value == "kill")),
            "exec" => new Fault(at, argument, cancellation => RunAsync(argument, cancellation)),
            _ => throw new ArgumentException($"--fault: '{text}' is not {Syntax}."),
        };
    }

    private static TimeSpan? ParseOffset(string text)
    {
        if (int.TryParse(text, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var match = OffsetPattern().Match(text);
        return match.Success && match.Length > 0
            ? TimeSpan.FromMinutes(match.Groups["m"].Success ? int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) : 0)
              + TimeSpan.FromSeconds(match.Groups["s"].Success ? double.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture) : 0)
            : null;
    }

    private static Task SignalAsync(int pid, bool kill)
    {
        using var process = Process.GetProcessById(pid);
        if (kill)
        {
            process.Kill(entireProcessTree: false);
            return Task.CompletedTask;
        }

        // SIGTERM, as a Kubernetes pod deletion sends it: .NET has no call for it, the kill program does.
        return RunAsync($"kill -TERM {pid}", CancellationToken.None);
    }

    private static async Task RunAsync(string command, CancellationToken cancellation)
    {
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command } })
            ?? throw new InvalidOperationException($"could not run '{command}'");
        await shell.WaitForExitAsync(cancellation);
        if (shell.ExitCode != 0)
        {
            await Console.Error.WriteLineAsync($"fault step '{command}' exited with {shell.ExitCode}");
        }
    }

    [GeneratedRegex(@"^(?<at>[^=]+)=(?<action>mark|kill|term|exec):(?<argument>.+)$")]
    private static partial Regex FaultPattern();

    [GeneratedRegex(@"^(?:(?<m>\d+)m)?(?:(?<s>\d+(?:\.\d+)?)s)?$")]
    private static partial Regex OffsetPattern();
}
