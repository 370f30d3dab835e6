using System.Diagnostics;
using System.Text;
using HdrHistogram;

namespace RseOrleans.Benchmarks;

/// <summary>
/// The latency of each operation of an invocation (a post, a read), in microseconds, for
/// percentiles over operations rather than over BenchmarkDotNet's iteration means. An invocation
/// ends with <see cref="Report"/>, which prints a readable line and the histogram itself (the
/// <c>// hdr</c> line) once a quarter of a second has passed since the last: <see cref="RunSummary"/>
/// merges the histograms printed during the measured iterations of a run, so that warm-up and pilot
/// operations do not count (but for the last operations of the stage before the first measured
/// iteration, when its invocations are shorter than that quarter of a second).
/// </summary>
internal sealed class OperationLatencies(string label)
{
    /// <summary>What starts the machine-readable line; the label and the base64 histogram log follow.</summary>
    internal const string Marker = "// hdr ";

    private const long MaxMicroseconds = 60_000_000;

    /// <summary>Short invocations (a post to 10 members) report together: a line per invocation would weigh on what is measured.</summary>
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(250);

    private readonly LongHistogram histogram = new(MaxMicroseconds, 3);
    private long lastReport = Stopwatch.GetTimestamp();

    /// <summary>Records an operation that started at <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp) and ends now.</summary>
    public void RecordSince(long startTimestamp)
    {
        var micros = Math.Clamp((long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds, 1, MaxMicroseconds);
        lock (histogram)
        {
            histogram.RecordValue(micros);
        }
    }

    /// <summary>Records an operation from <paramref name="startTimestamp"/> to <paramref name="endTimestamp"/> (<see cref="Stopwatch"/> timestamps); one that ended first counts as 1 µs.</summary>
    public void Record(long startTimestamp, long endTimestamp)
    {
        var micros = Math.Clamp((long)Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalMicroseconds, 1, MaxMicroseconds);
        lock (histogram)
        {
            histogram.RecordValue(micros);
        }
    }

    /// <summary>Prints the percentiles and histogram of the operations since the last report, then starts afresh; at most every <see cref="ReportInterval"/>.</summary>
    public void Report()
    {
        lock (histogram)
        {
            if (Stopwatch.GetElapsedTime(lastReport) < ReportInterval)
            {
                return;
            }

            lastReport = Stopwatch.GetTimestamp();
            Console.WriteLine(
                $"// {label}: {histogram.TotalCount} operations, p50 {Milliseconds(histogram.GetValueAtPercentile(50))}, " +
                $"p99 {Milliseconds(histogram.GetValueAtPercentile(99))}, max {Milliseconds(histogram.GetMaxValue())}");
            Console.WriteLine($"{Marker}{label} {Encode(histogram)}");
            histogram.Reset();
        }
    }

    internal static string Milliseconds(long micros) => $"{micros / 1000.0:F2} ms";

    internal static string Encode(HistogramBase histogram)
    {
        using var log = new MemoryStream();
        HistogramLogWriter.Write(log, DateTime.UnixEpoch, histogram);
        return Convert.ToBase64String(log.ToArray());
    }

    internal static HistogramBase Decode(string base64)
    {
        using var log = new MemoryStream(Convert.FromBase64String(base64));
        using var reader = new HistogramLogReader(log);
        return reader.ReadHistograms().Single();
    }

    /// <summary>
    /// The operations of the measured iterations in one run's console log, per label: BenchmarkDotNet
    /// prints a <c>WorkloadActual</c> line after each measured iteration, and other stage lines
    /// (pilot, warm-up, overhead) after the others.
    /// </summary>
    internal static Dictionary<string, LongHistogram> MeasuredIn(string consoleLog)
    {
        var measured = new Dictionary<string, LongHistogram>(StringComparer.Ordinal);
        var pending = new List<(string Label, HistogramBase Histogram)>();
        foreach (var line in File.ReadLines(consoleLog, Encoding.UTF8))
        {
            // The label may hold spaces; the histogram is the last word.
            if (line.StartsWith(Marker, StringComparison.Ordinal) && line.LastIndexOf(' ') is var split && split > Marker.Length)
            {
                pending.Add((line[Marker.Length..split], Decode(line[(split + 1)..])));
            }
            else if (line.StartsWith("WorkloadActual ", StringComparison.Ordinal))
            {
                foreach (var (name, histogram) in pending)
                {
                    if (!measured.TryGetValue(name, out var total))
                    {
                        measured[name] = total = new LongHistogram(MaxMicroseconds, 3);
                    }

                    total.Add(histogram);
                }

                pending.Clear();
            }
            else if (line.StartsWith("Workload", StringComparison.Ordinal) || line.StartsWith("Overhead", StringComparison.Ordinal))
            {
                pending.Clear();
            }
        }

        return measured;
    }
}
