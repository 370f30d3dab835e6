using BenchmarkDotNet.Attributes;
using RseOrleans.Grains.Feeds;

namespace RseOrleans.Benchmarks;

/// <summary>
/// The feed grain's in-memory timeline: the cost of one delivery (as the silo's delivery service
/// offers it, lock included) and of one page read.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class TimelineBenchmarks
{
    private const string Source = "group:bench";
    private HomeTimeline timeline = null!;
    private long nextPostId;

    [Params(200, 800)]
    public int Capacity { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        timeline = new HomeTimeline(Capacity);
        timeline.Follow(Source, []);
        timeline.Rebuild([]);
        for (nextPostId = 1; nextPostId <= Capacity; nextPostId++)
        {
            timeline.Offer(Source, nextPostId);
        }
    }

    [Benchmark]
    public bool AppendToFullTimeline() => timeline.Offer(Source, nextPostId++);

    [Benchmark]
    public object ReadPageOf20() => timeline.ReadBefore(before: null, count: 20);
}
