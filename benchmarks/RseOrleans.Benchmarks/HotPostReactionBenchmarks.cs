using BenchmarkDotNet.Attributes;
using RseOrleans.Benchmarks.Baselines;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Viral posts (<see cref="HotPost"/>): 2,000 distinct users react at once, again and again.
/// Sharded, group-committed reactions, sent the way the API sends them (batched per shard) and one
/// call each, against the baseline of every reaction queued on the post grain with its own storage
/// write. Reactions per second = 1 s / time per operation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class HotPostReactionBenchmarks
{
    private HotPost hotPost = null!;

    [GlobalSetup]
    public async Task SetUp()
    {
        hotPost = await HotPost.StartAsync();
        await ShardedBatched();
        await Sharded();
        await Naive();
    }

    [GlobalCleanup]
    public async Task TearDown() => await hotPost.DisposeAsync();

    [Benchmark(OperationsPerInvoke = HotPost.Burst)]
    public Task ShardedBatched() => hotPost.ReactBatchedAsync();

    [Benchmark(OperationsPerInvoke = HotPost.Burst)]
    public async Task Sharded()
    {
        var (target, users) = await hotPost.NextBurstAsync();
        await Task.WhenAll(users.Select(user =>
            hotPost.Silo.Grains.ReactionShard(target.PostId, target.ReactionShards, user).Add(user, ReactionType.Like)));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = HotPost.Burst)]
    public async Task Naive()
    {
        var (target, users) = await hotPost.NextBurstAsync();
        var grain = hotPost.Silo.Grains.GetGrain<INaivePostGrain>(target.PostId);
        await Task.WhenAll(users.Select(user => grain.React(user, ReactionType.Like)));
    }
}
