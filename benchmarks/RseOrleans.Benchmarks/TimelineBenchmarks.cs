using BenchmarkDotNet.Attributes;
using RseOrleans.Grains.Feeds;

namespace RseOrleans.Benchmarks;

/// <summary>The feed grain's in-memory timeline: the cost of one delivery and of one page read.</summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class TimelineBenchmarks
{
    private const string Source = "group:bench";
    private Timeline timeline = null!;
    private long nextPostId;

    [Params(200, 800)]
    public int Capacity { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        timeline = new Timeline(Capacity);
        timeline.AddSource(Source);
        for (nextPostId = 1; nextPostId <= Capacity; nextPostId++)
        {
            timeline.Append(Source, nextPostId);
        }
    }

    [Benchmark]
    public object? AppendToFullTimeline() => timeline.Append(Source, nextPostId++);

    [Benchmark]
    public object ReadPageOf20() => timeline.ReadBefore(before: null, count: 20);
}
