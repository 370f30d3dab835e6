using HdrHistogram;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RseOrleans.Benchmarks;

/// <summary>
/// <c>summarize FOLDER</c>: the table <c>benchmarks/run.sh</c> writes from its runs' JSON reports:
/// each benchmark's median per run, the median of the runs, their spread, and whether they agree
/// within 20 % (a figure is quoted only when they do).
/// </summary>
internal static class RunSummary
{
    internal const double Agreement = 0.20;

    public static int Write(string folder, TextWriter output)
    {
        var runs = Directory.GetDirectories(folder, "run*").Order(StringComparer.Ordinal).ToArray();
        if (runs.Length == 0)
        {
            Console.Error.WriteLine($"summarize: no run folders in {folder}");
            return 2;
        }

        var medians = new SortedDictionary<string, double?[]>(StringComparer.Ordinal);
        var allocated = new SortedDictionary<string, double?[]>(StringComparer.Ordinal);
        string? machine = null;
        for (var r = 0; r < runs.Length; r++)
        {
            foreach (var report in Directory.GetFiles(Path.Combine(runs[r], "results"), "*-report*.json"))
            {
                using var json = JsonDocument.Parse(File.ReadAllText(report));
                machine ??= Machine(json.RootElement);
                foreach (var benchmark in json.RootElement.GetProperty("Benchmarks").EnumerateArray())
                {
                    var name = Name(benchmark);
                    if (benchmark.TryGetProperty("Statistics", out var statistics) && statistics.ValueKind == JsonValueKind.Object)
                    {
                        Slot(medians, name, runs.Length)[r] = statistics.GetProperty("Median").GetDouble();
                    }

                    if (benchmark.TryGetProperty("Memory", out var memory) && memory.ValueKind == JsonValueKind.Object)
                    {
                        Slot(allocated, name, runs.Length)[r] = memory.GetProperty("BytesAllocatedPerOperation").GetDouble();
                    }
                }
            }
        }

        var text = new StringBuilder();
        WriteHeader(folder, runs, machine, text);
        var runColumns = string.Join(" | ", runs.Select(run => Path.GetFileName(run)));
        text.AppendLine(CultureInfo.InvariantCulture, $"| benchmark | {runColumns} | median of runs | spread | agree within 20 % | allocated per op |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(runs.Select(_ => "---:|"))}---:|---:|---|---:|");
        foreach (var (name, values) in medians)
        {
            var measured = values.OfType<double>().Order().ToArray();
            var median = measured.Length == 0 ? (double?)null : Median(measured);
            var spread = measured.Length < 2 || measured[0] <= 0 ? (double?)null : measured[^1] / measured[0] - 1;
            var agree = measured.Length == runs.Length && spread <= Agreement ? "yes" : "**no**";
            var bytes = allocated.TryGetValue(name, out var a) && a.OfType<double>().ToArray() is { Length: > 0 } b ? $"{Median([.. b.Order()]):N0} B" : "";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {string.Join(" | ", values.Select(v => v is { } ns ? Time(ns) : "—"))} | {(median is { } m ? Time(m) : "—")} | {(spread is { } s ? $"{s:P0}" : "—")} | {agree} | {bytes} |");
        }

        WriteLatencies(runs, text);
        WriteFigures(runs, text);
        output.Write(text.ToString());
        return 0;
    }

    /// <summary>What every summary starts with: the folder's name, its command, commit and machine, and the load average around each run.</summary>
    internal static void WriteHeader(string folder, string[] runs, string? machine, StringBuilder text)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"# {Path.GetFileName(Path.GetFullPath(folder))}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- command: `{ReadOr(Path.Combine(folder, "command"), "?")}`");
        text.AppendLine(CultureInfo.InvariantCulture, $"- commit: {ReadOr(Path.Combine(folder, "commit"), "?")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- machine: {machine ?? "?"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- load average (1, 5, 15 min) before → after each run: {string.Join("; ", runs.Select(run => $"{ReadOr(Path.Combine(run, "load-before"), "?")} → {ReadOr(Path.Combine(run, "load-after"), "?")}"))}");
        text.AppendLine();
    }

    /// <summary>
    /// Percentiles over individual operations, for benchmarks that record them
    /// (<see cref="OperationLatencies"/>): each run's measured iterations merged, then the runs' p99 compared.
    /// </summary>
    private static void WriteLatencies(string[] runs, StringBuilder text)
    {
        var perRun = runs.Select(run => Path.Combine(run, "stdout.log")).Select(log => File.Exists(log) ? OperationLatencies.MeasuredIn(log) : []).ToArray();
        var labels = perRun.SelectMany(run => run.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (labels.Length == 0)
        {
            return;
        }

        text.AppendLine();
        text.AppendLine("Latency per operation over the measured iterations of each run (p50 / p99 / max):");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| operation | {string.Join(" | ", runs.Select(Path.GetFileName))} | median p99 of runs | spread of p99 | agree within 20 % |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(runs.Select(_ => "---:|"))}---:|---:|---|");
        foreach (var label in labels)
        {
            var cells = perRun.Select(run => run.TryGetValue(label, out var h)
                ? $"{h.TotalCount:N0} ops: {OperationLatencies.Milliseconds(h.GetValueAtPercentile(50))} / {OperationLatencies.Milliseconds(h.GetValueAtPercentile(99))} / {OperationLatencies.Milliseconds(h.GetMaxValue())}"
                : "—");
            var p99s = perRun.Where(run => run.ContainsKey(label)).Select(run => (double)run[label].GetValueAtPercentile(99)).Order().ToArray();
            var spread = p99s.Length < 2 || p99s[0] <= 0 ? (double?)null : p99s[^1] / p99s[0] - 1;
            var agree = p99s.Length == runs.Length && spread <= Agreement ? "yes" : "**no**";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {string.Join(" | ", cells)} | {(p99s.Length > 0 ? OperationLatencies.Milliseconds((long)Median(p99s)) : "—")} | {(spread is { } s ? $"{s:P0}" : "—")} | {agree} |");
        }
    }

    /// <summary>
    /// Figures a benchmark prints itself (<c>// figure LABEL VALUE UNIT</c>, such as memory per user),
    /// the last of each label in each run's console log.
    /// </summary>
    private static void WriteFigures(string[] runs, StringBuilder text)
    {
        var perRun = runs.Select(run => Path.Combine(run, "stdout.log")).Select(log => File.Exists(log)
            ? File.ReadLines(log)
                .Where(line => line.StartsWith(FigureMarker, StringComparison.Ordinal))
                .Select(line => line[FigureMarker.Length..].Split(' '))
                .Where(parts => parts.Length == 3 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                .GroupBy(parts => parts[0])
                .ToDictionary(group => group.Key, group => (Value: double.Parse(group.Last()[1], CultureInfo.InvariantCulture), Unit: group.Last()[2]))
            : []).ToArray();
        var labels = perRun.SelectMany(run => run.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (labels.Length == 0)
        {
            return;
        }

        text.AppendLine();
        text.AppendLine("Figures the benchmarks print themselves:");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| figure | {string.Join(" | ", runs.Select(Path.GetFileName))} | median of runs | spread | agree within 20 % |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(runs.Select(_ => "---:|"))}---:|---:|---|");
        foreach (var label in labels)
        {
            var unit = perRun.Select(run => run.TryGetValue(label, out var f) ? f.Unit : null).First(u => u is not null);
            var values = perRun.Where(run => run.ContainsKey(label)).Select(run => run[label].Value).Order().ToArray();
            var spread = values.Length < 2 || values[0] <= 0 ? (double?)null : values[^1] / values[0] - 1;
            var agree = values.Length == runs.Length && spread <= Agreement ? "yes" : "**no**";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {string.Join(" | ", perRun.Select(run => run.TryGetValue(label, out var f) ? $"{f.Value:N0} {f.Unit}" : "—"))} | {Median(values):N0} {unit} | {(spread is { } s ? $"{s:P0}" : "—")} | {agree} |");
        }
    }

    private const string FigureMarker = "// figure ";

    private static double?[] Slot(SortedDictionary<string, double?[]> table, string name, int runs) =>
        table.TryGetValue(name, out var slot) ? slot : table[name] = new double?[runs];

    private static string Name(JsonElement benchmark)
    {
        var type = benchmark.GetProperty("Type").GetString();
        var method = benchmark.GetProperty("Method").GetString();
        var parameters = benchmark.TryGetProperty("Parameters", out var p) ? p.GetString() : null;
        return string.IsNullOrEmpty(parameters) ? $"{type}.{method}" : $"{type}.{method}({parameters.Replace("&", ", ", StringComparison.Ordinal)})";
    }

    private static string? Machine(JsonElement root) =>
        root.TryGetProperty("HostEnvironmentInfo", out var host)
            ? $"{Text(host, "ProcessorName")}, {Text(host, "PhysicalCoreCount")} physical / {Text(host, "LogicalCoreCount")} logical cores, {Text(host, "OsVersion")}, {Text(host, "RuntimeVersion")}"
            : null;

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ToString() : "?";

    internal static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    private static string Time(double nanoseconds) => nanoseconds switch
    {
        >= 1e9 => $"{nanoseconds / 1e9:F3} s",
        >= 1e6 => $"{nanoseconds / 1e6:F3} ms",
        >= 1e3 => $"{nanoseconds / 1e3:F2} µs",
        _ => $"{nanoseconds:F1} ns",
    };

    internal static string ReadOr(string path, string fallback) => File.Exists(path) ? File.ReadAllText(path).Trim() : fallback;
}
