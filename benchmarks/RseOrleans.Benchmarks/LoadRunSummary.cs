using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RseOrleans.Benchmarks;

/// <summary>
/// <c>summarize-load FOLDER</c>: the table <c>benchmarks/load.sh</c> writes from its runs' load
/// reports (<c>rse load --out</c>'s JSON): per operation, each run's calls per second and p99 over
/// individual calls, the medians of the runs, their spread, and whether they agree within 20 %.
/// </summary>
internal static class LoadRunSummary
{
    /// <summary>Measured by the watchers, not a call: left out of the calls per second.</summary>
    private const string Delivery = "post-to-delivery";

    public static int Write(string folder, TextWriter output)
    {
        var runs = Directory.GetDirectories(folder, "run*").Order(StringComparer.Ordinal).ToArray();
        var reports = runs.Select(run => Directory.GetFiles(run, "load-*.json").SingleOrDefault()).ToArray();
        if (runs.Length == 0 || reports.Any(report => report is null))
        {
            Console.Error.WriteLine($"summarize-load: {folder} needs run folders holding one load report each");
            return 2;
        }

        var operations = new SortedDictionary<string, Operation?[]>(StringComparer.Ordinal);
        var calls = new double[runs.Length];
        for (var r = 0; r < runs.Length; r++)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(reports[r]!));
            foreach (var operation in json.RootElement.GetProperty("operations").EnumerateArray())
            {
                var name = operation.GetProperty("operation").GetString()!;
                var measured = new Operation(operation.GetProperty("perSecond").GetDouble(), operation.GetProperty("p99").GetDouble(), ErrorCount(operation));
                (operations.TryGetValue(name, out var slot) ? slot : operations[name] = new Operation?[runs.Length])[r] = measured;
                calls[r] += name == Delivery ? 0 : measured.PerSecond;
            }
        }

        var text = new StringBuilder();
        RunSummary.WriteHeader(folder, runs, RunSummary.ReadOr(Path.Combine(folder, "machine"), "?"), text);
        var runColumns = string.Join(" | ", runs.Select(Path.GetFileName));
        text.AppendLine("Each run's cell: calls per second answered, p99 in ms over individual calls, and errors if any.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| operation | {runColumns} | median per second (spread) | median p99 ms (spread) | agree within 20 % |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(runs.Select(_ => "---:|"))}---:|---:|---|");
        foreach (var (name, values) in operations)
        {
            var cells = values.Select(v => v is { } o ? $"{o.PerSecond:N0}, {o.P99:F2}{(o.Errors > 0 ? $" ({o.Errors:N0})" : "")}" : "—");
            var (rate, rateSpread) = MedianAndSpread(values.OfType<Operation>().Select(o => o.PerSecond));
            var (p99, p99Spread) = MedianAndSpread(values.OfType<Operation>().Select(o => o.P99));
            var agree = values.All(v => v is not null) && rateSpread <= RunSummary.Agreement && p99Spread <= RunSummary.Agreement ? "yes" : "**no**";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {string.Join(" | ", cells)} | {rate:N0} ({rateSpread:P0}) | {p99:F2} ({p99Spread:P0}) | {agree} |");
        }

        var (total, totalSpread) = MedianAndSpread(calls);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| calls in all | {string.Join(" | ", calls.Select(c => $"{c:N0}"))} | {total:N0} ({totalSpread:P0}) | | {(totalSpread <= RunSummary.Agreement ? "yes" : "**no**")} |");
        text.AppendLine();
        text.AppendLine("Per second counts the calls answered without error; errors are counted apart (the write limit's `ResourceExhausted` among them).");
        output.Write(text.ToString());
        return 0;
    }

    private static long ErrorCount(JsonElement operation) =>
        operation.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().Sum(error => error.Value.GetInt64())
            : 0;

    private static (double Median, double Spread) MedianAndSpread(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? (0, 0) : (RunSummary.Median(sorted), sorted[0] <= 0 ? 0 : sorted[^1] / sorted[0] - 1);
    }

    private sealed record Operation(double PerSecond, double P99, long Errors);
}
