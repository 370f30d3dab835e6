using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RseOrleans.Cli.Load;

/// <summary>
/// One step of a chaos schedule: at <see cref="At"/> into the run, something happens to the engine
/// or its stores. The load generator cannot stop a database on another machine, so a step is either
/// a mark (it prints what the operator should do now) or something it can do itself: signal a
/// process it may reach, kill, stop or start an engine it started (<see cref="LoadEngine"/>), or
/// run a command (a script that stops PostgreSQL, flushes Redis…).
/// </summary>
internal sealed partial record Fault(TimeSpan At, string Description, Func<CancellationToken, Task> Act)
{
    public const string Syntax =
        "AT=mark:TEXT | AT=kill:PID|NAME | AT=term:PID|NAME | AT=start:NAME | AT=restart:NAME | AT=exec:COMMAND, AT like 10s, 1m30s or 90, NAME an --engine";

    /// <summary>
    /// Parses one <c>--fault</c> value, e.g. <c>20s=exec:pg_ctl -D /srv/pg stop</c> or <c>40s=kill:silo-2</c>;
    /// a NAME is one of <paramref name="engines"/>.
    /// </summary>
    public static Fault Parse(string text, IReadOnlyCollection<LoadEngine>? engines = null)
    {
        var match = FaultPattern().Match(text);
        if (!match.Success || ParseOffset(match.Groups["at"].Value) is not { } at)
        {
            throw new ArgumentException($"--fault: '{text}' is not {Syntax}.");
        }

        var (action, argument) = (match.Groups["action"].Value, match.Groups["argument"].Value);
        if (action is "kill" or "term" && int.TryParse(argument, CultureInfo.InvariantCulture, out var pid))
        {
            return new Fault(at, $"{action} process {pid}", _ => SignalAsync(pid, action == "kill"));
        }

        return action switch
        {
            "mark" => new Fault(at, argument, _ => Task.CompletedTask),
            "exec" => new Fault(at, argument, cancellation => RunAsync(argument, cancellation)),
            "kill" or "term" or "start" or "restart" => OnEngine(at, action, Engine(text, argument, engines)),
            _ => throw new ArgumentException($"--fault: '{text}' is not {Syntax}."),
        };
    }

    private static Fault OnEngine(TimeSpan at, string action, LoadEngine engine) => action switch
    {
        "kill" => new Fault(at, $"kill -9 {engine.Name}", _ =>
        {
            engine.Kill();
            return Task.CompletedTask;
        }),
        "term" => new Fault(at, $"SIGTERM {engine.Name}", _ =>
        {
            engine.Terminate();
            return Task.CompletedTask;
        }),
        "start" => new Fault(at, $"start {engine.Name}", cancellation => StartAsync(engine, cancellation)),
        _ => new Fault(at, $"restart {engine.Name}", async cancellation =>
        {
            await engine.StopAsync();
            await StartAsync(engine, cancellation);
        }),
    };

    private static LoadEngine Engine(string text, string name, IReadOnlyCollection<LoadEngine>? engines) =>
        engines?.FirstOrDefault(engine => engine.Name == name)
        ?? throw new ArgumentException(engines is { Count: > 0 }
            ? $"--fault: '{text}' names no engine: {name} is not one of {string.Join(", ", engines.Select(engine => engine.Name))}."
            : $"--fault: '{text}' is not {Syntax}: no --engine named {name} was given.");

    private static async Task StartAsync(LoadEngine engine, CancellationToken cancellation)
    {
        var took = await engine.StartAsync(cancellation);
        await Console.Error.WriteLineAsync($"       {engine.Name} serving again after {took.TotalSeconds:F1} s");
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
        // Its output goes to stderr with rse's progress: stdout is the report's.
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "exec 1>&2\n" + command } })
            ?? throw new InvalidOperationException($"could not run '{command}'");
        await shell.WaitForExitAsync(cancellation);
        if (shell.ExitCode != 0)
        {
            await Console.Error.WriteLineAsync($"fault step '{command}' exited with {shell.ExitCode}");
        }
    }

    [GeneratedRegex(@"^(?<at>[^=]+)=(?<action>mark|kill|term|start|restart|exec):(?<argument>.+)$")]
    private static partial Regex FaultPattern();

    [GeneratedRegex(@"^(?:(?<m>\d+)m)?(?:(?<s>\d+(?:\.\d+)?)s)?$")]
    private static partial Regex OffsetPattern();
}
