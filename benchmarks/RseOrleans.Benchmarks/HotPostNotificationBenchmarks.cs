using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace RseOrleans.Benchmarks;

/// <summary>
/// What notifying the author costs a hot post's reactions: the bursts of
/// <see cref="HotPostReactionBenchmarks.ShardedBatched"/>, with the shards' notification
/// bookkeeping on (the default: each commit nets its changes per user and sends one one-way call to
/// the author's notifications) and off (<c>Reactions:NotifyAuthors=false</c>), each case in a silo
/// of its own, in the same run. The bound: "with" at most 10 % slower than "without". The
/// author's single notification group of each post counts every reaction exactly.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class HotPostNotificationBenchmarks
{
    private HotPost hotPost = null!;

    [Params(false, true)]
    public bool NotifyAuthors { get; set; }

    [GlobalSetup]
    public async Task SetUp()
    {
        hotPost = await HotPost.StartAsync(new Dictionary<string, string?>
        {
            ["Reactions:NotifyAuthors"] = NotifyAuthors.ToString(CultureInfo.InvariantCulture),
        });
        await ReactToAHotPost();
    }

    [GlobalCleanup]
    public async Task TearDown() => await hotPost.DisposeAsync();

    [Benchmark(OperationsPerInvoke = HotPost.Burst)]
    public Task ReactToAHotPost() => hotPost.ReactBatchedAsync();
}
