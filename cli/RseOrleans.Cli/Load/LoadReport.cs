using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using HdrHistogram;

namespace RseOrleans.Cli.Load;

/// <summary>Latencies (HdrHistogram, microseconds) and errors per operation, and what watchers saw.</summary>
internal sealed class LoadReport
{
    private const long Lowest = 1;
    private const long Highest = 60L * 60 * 1_000_000;
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly ConcurrentDictionary<string, LongConcurrentHistogram> latencies = new();
    // Calls (deliveries aside) by the window they were answered in: a tail from warm-up and one from stalls throughout look alike overall.
    private readonly ConcurrentDictionary<int, LongConcurrentHistogram> callsByWindow = new();
    private readonly ConcurrentDictionary<(string Operation, StatusCode Code), long> errors = new();
    // For the chaos report: when each call was answered or failed, in seconds since the run began.
    private readonly ConcurrentDictionary<int, long> answeredPerSecond = new();
    private readonly ConcurrentQueue<(double At, StatusCode Code)> failures = new();
    private readonly List<(double At, string Description)> faults = [];
    private long begun = Stopwatch.GetTimestamp();

    public const string Delivery = "post-to-delivery";

    /// <summary>The length of the windows the report's latency over time is cut into.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    // Off during a warm-up: what is answered then is not counted.
    private volatile bool counting = true;

    /// <summary>Traffic runs from now on without being counted, until <see cref="Begin"/>.</summary>
    public void WarmUp() => counting = false;

    /// <summary>The run's counted traffic starts now: windows and fault phases are timed from here.</summary>
    public void Begin()
    {
        begun = Stopwatch.GetTimestamp();
        counting = true;
    }

    public void Record(string operation, TimeSpan latency)
    {
        if (!counting)
        {
            return;
        }

        latencies.GetOrAdd(operation, _ => new LongConcurrentHistogram(Lowest, Highest, 3))
            .RecordValue(Math.Clamp((long)latency.TotalMicroseconds, Lowest, Highest));
        if (operation != Delivery)
        {
            var now = Now();
            answeredPerSecond.AddOrUpdate((int)now, 1, (_, count) => count + 1);
            if (now >= 0)
            {
                callsByWindow.GetOrAdd((int)(now / Window.TotalSeconds), _ => new LongConcurrentHistogram(Lowest, Highest, 3))
                    .RecordValue(Math.Clamp((long)latency.TotalMicroseconds, Lowest, Highest));
            }
        }
    }

    public void RecordError(string operation, StatusCode code)
    {
        if (!counting)
        {
            return;
        }

        errors.AddOrUpdate((operation, code), 1, (_, count) => count + 1);
        failures.Enqueue((Now(), code));
    }

    public void MarkFault(string description)
    {
        lock (faults)
        {
            faults.Add((Now(), description));
        }
    }

    /// <summary>
    /// The run cut at each fault: calls answered, errors by status, and when the errors stopped
    /// (the last failure of the phase, counted from the fault).
    /// </summary>
    public IReadOnlyList<FaultPhase> Phases(TimeSpan elapsed)
    {
        List<(double At, string Description)> marks;
        lock (faults)
        {
            marks = [.. faults];
        }

        if (marks.Count == 0)
        {
            return [];
        }

        var bounds = marks.Prepend((At: 0.0, Description: "before the first fault")).ToList();
        var failed = failures.ToArray();
        return bounds.Select((phase, i) =>
        {
            var end = i + 1 < bounds.Count ? bounds[i + 1].At : elapsed.TotalSeconds;
            var inPhase = failed.Where(f => f.At >= phase.At && f.At < end).ToArray();
            var answered = answeredPerSecond.Where(s => s.Key >= Math.Floor(phase.At) && s.Key < end).Sum(s => s.Value);
            return new FaultPhase(
                i == 0 ? phase.Description : $"{i}. {phase.Description}",
                Math.Round(phase.At, 1),
                Math.Round(end, 1),
                answered,
                inPhase.GroupBy(f => f.Code.ToString()).ToDictionary(g => g.Key, g => (long)g.Count()),
                inPhase.Length == 0 ? null : Math.Round(inPhase.Max(f => f.At) - phase.At, 1));
        }).ToList();
    }

    private double Now() => Stopwatch.GetElapsedTime(begun).TotalSeconds;

    public long Completed => latencies.Where(l => l.Key != Delivery).Sum(l => l.Value.TotalCount);

    public long Failed => errors.Values.Sum();

    public IReadOnlyList<OperationSummary> Summarize(TimeSpan elapsed) =>
        latencies.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new OperationSummary(
            l.Key,
            l.Value.TotalCount,
            l.Value.TotalCount / Math.Max(0.001, elapsed.TotalSeconds),
            Ms(l.Value.GetValueAtPercentile(50)),
            Ms(l.Value.GetValueAtPercentile(90)),
            Ms(l.Value.GetValueAtPercentile(99)),
            Ms(l.Value.GetValueAtPercentile(99.9)),
            Ms(l.Value.GetValueAtPercentile(100)),
            errors.Where(e => e.Key.Operation == l.Key).ToDictionary(e => e.Key.Code.ToString(), e => e.Value))).ToList();

    /// <summary>Calls (all operations but deliveries) by the window they were answered in, in order.</summary>
    public IReadOnlyList<LatencyWindow> Windows() =>
        callsByWindow.OrderBy(w => w.Key).Select(w => new LatencyWindow(
            w.Key * Window.TotalSeconds,
            (w.Key + 1) * Window.TotalSeconds,
            w.Value.TotalCount,
            Ms(w.Value.GetValueAtPercentile(50)),
            Ms(w.Value.GetValueAtPercentile(99)),
            Ms(w.Value.GetValueAtPercentile(100)))).ToList();

    public IReadOnlyDictionary<string, long> ErrorsWithoutLatency() =>
        errors.Where(e => !latencies.ContainsKey(e.Key.Operation))
            .ToDictionary(e => $"{e.Key.Operation}:{e.Key.Code}", e => e.Value);

    public string ToMarkdown(LoadSettings settings, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        var engines = settings.Engines ?? [];
        text.AppendLine(CultureInfo.InvariantCulture, $"# Load run against {(engines.Count == 0 ? settings.Address : $"{engines.Count} engines it started")}");
        text.AppendLine();
        if (engines.Count > 0)
        {
            text.AppendLine("| engine | address | log |");
            text.AppendLine("|---|---|---|");
            foreach (var engine in engines)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {engine.Name} | {engine.Address} | {engine.LogFile} |");
            }

            text.AppendLine();
        }

        var loop = settings.Rate is { } rate ? $"open loop at {rate} ops/s" : $"closed loop with {settings.Concurrency} workers";
        var mix = string.Join(" ", settings.Mix.Select(m => $"{m.Key.ToString().ToLowerInvariant()}={m.Value}"));
        var warmup = settings.Warmup > TimeSpan.Zero ? $" after {settings.Warmup.TotalSeconds:F0} s of warm-up not counted" : "";
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{settings.Users} users, {settings.Groups} groups, {elapsed.TotalSeconds:F0} s{warmup}, {loop}, {settings.Watchers} watchers, mix {mix}, over {Transport(settings)}, callers {(settings.Tokens is null ? "named by the development header" : "with verified bearer tokens")}, {Environment.ProcessorCount} cores.");
        text.AppendLine();
        text.AppendLine("| operation | count | per second | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in Summarize(elapsed))
        {
            var errorText = s.Errors.Count == 0 ? "" : string.Join(", ", s.Errors.Select(e => $"{e.Key} {e.Value}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Operation} | {s.Count} | {s.PerSecond:F0} | {s.P50:F2} | {s.P90:F2} | {s.P99:F2} | {s.P999:F2} | {s.Max:F2} | {errorText} |");
        }

        var windows = Windows();
        if (windows.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Calls of every operation but deliveries, by when they were answered ({Window.TotalSeconds:F0}-second windows):");
            text.AppendLine();
            text.AppendLine("| from s | to s | calls | p50 ms | p99 ms | max ms |");
            text.AppendLine("|---:|---:|---:|---:|---:|---:|");
            foreach (var w in windows)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {w.From:F0} | {w.To:F0} | {w.Count} | {w.P50:F2} | {w.P99:F2} | {w.Max:F2} |");
            }
        }

        var phases = Phases(elapsed);
        if (phases.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| phase | from s | to s | calls answered | errors by status | errors stopped after |");
            text.AppendLine("|---|---:|---:|---:|---|---|");
            foreach (var phase in phases)
            {
                var errorText = phase.Errors.Count == 0 ? "none" : string.Join(", ", phase.Errors.Select(e => $"{e.Key} {e.Value}"));
                var stopped = phase.LastErrorAfter is { } after
                    ? (phase.To - phase.From - after < 1 ? $"still failing at {phase.To:F1} s" : $"{after:F1} s")
                    : "—";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {phase.Name} | {phase.From:F1} | {phase.To:F1} | {phase.Answered} | {errorText} | {stopped} |");
            }
        }

        return text.ToString();
    }

    public string ToJson(LoadSettings settings, TimeSpan elapsed) => JsonSerializer.Serialize(
        new
        {
            address = settings.Engines is { Count: > 0 } ? null : settings.Address.ToString(),
            engines = (settings.Engines ?? []).Select(engine => new { name = engine.Name, address = engine.Address.ToString(), log = engine.LogFile }),
            users = settings.Users,
            groups = settings.Groups,
            seconds = elapsed.TotalSeconds,
            warmupSeconds = settings.Warmup.TotalSeconds,
            mode = settings.Rate is null ? "closed" : "open",
            transport = settings.Transport.ToString().ToLowerInvariant(),
            callers = settings.Tokens is null ? "development-header" : "bearer-tokens",
            concurrency = settings.Concurrency,
            rate = settings.Rate,
            watchers = settings.Watchers,
            mix = settings.Mix.ToDictionary(m => m.Key.ToString().ToLowerInvariant(), m => m.Value),
            cores = Environment.ProcessorCount,
            operations = Summarize(elapsed),
            windows = Windows(),
            otherErrors = ErrorsWithoutLatency(),
            faults = Phases(elapsed),
        },
        JsonOptions);

    private static double Ms(long microseconds) => microseconds / 1000.0;

    private static string Transport(LoadSettings settings) =>
        settings.Transport == LoadTransport.Json ? "JSON over HTTP/1.1" : "gRPC";
}

/// <summary>A stretch of a chaos run between two faults; <see cref="LastErrorAfter"/> is seconds from its start.</summary>
internal sealed record FaultPhase(
    string Name, double From, double To, long Answered, IReadOnlyDictionary<string, long> Errors, double? LastErrorAfter);

/// <summary>The calls answered between <see cref="From"/> and <see cref="To"/> seconds into the run.</summary>
internal sealed record LatencyWindow(double From, double To, long Count, double P50, double P99, double Max);

internal sealed record OperationSummary(
    string Operation, long Count, double PerSecond, double P50, double P90, double P99, double P999, double Max, IReadOnlyDictionary<string, long> Errors);
