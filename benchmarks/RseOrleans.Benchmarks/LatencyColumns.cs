using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace RseOrleans.Benchmarks;

/// <summary>Median, 95th percentile and maximum beside the mean: latencies are read as percentiles.</summary>
public sealed class LatencyColumns : ManualConfig
{
    public LatencyColumns() => AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Max);
}
