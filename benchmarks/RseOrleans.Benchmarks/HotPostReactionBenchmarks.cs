using BenchmarkDotNet.Attributes;
using RseOrleans.Api.Reactions;
using RseOrleans.Benchmarks.Baselines;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Viral posts: 2,000 distinct users react at once, again and again, until the post has
/// <see cref="ReactionsPerPost"/> reactions and the next viral post takes over. Sharded,
/// group-committed reactions, sent the way the API sends them (batched per shard,
/// <see cref="ReactionBatcher"/>) and one call each, against the baseline of every reaction queued
/// on the post grain with its own storage write. Reactions per second = 1 s / time per operation.
/// </summary>
/// <remarks>
/// A post's reactions are bounded because the people who can react are: 50,000 reactions is an
/// all-company announcement in a company of 100,000. Without a bound, BenchmarkDotNet's thousands of
/// bursts would measure one post with millions of reactions, more people than any enterprise has.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class HotPostReactionBenchmarks
{
    private const int Burst = 2_000;
    private const int ReactionsPerPost = 50_000;
    private BenchmarkSilo silo = null!;
    private ReactionBatcher batcher = null!;
    private ISourceGrain author = null!;
    private PostSnapshot post = null!;
    private int round;

    [GlobalSetup]
    public async Task SetUp()
    {
        silo = await BenchmarkSilo.StartAsync();
        await silo.Grains.GetGrain<IUserGrain>("author").Create(new UserProfile("Author", "", "", "", "", "", []));
        author = silo.Grains.GetGrain<ISourceGrain>(SourceId.User("author").Key);
        batcher = new ReactionBatcher(silo.Grains);
        await ShardedBatched();
        await Sharded();
        await Naive();
    }

    [GlobalCleanup]
    public async Task TearDown() => await silo.DisposeAsync();

    [Benchmark(OperationsPerInvoke = Burst)]
    public async Task ShardedBatched()
    {
        var (target, users) = await NextBurstAsync();
        await Task.WhenAll(users.Select(user => batcher.AddAsync(target.PostId, target.ReactionShards, user, ReactionType.Like)));
    }

    [Benchmark(OperationsPerInvoke = Burst)]
    public async Task Sharded()
    {
        var (target, users) = await NextBurstAsync();
        await Task.WhenAll(users.Select(user =>
            silo.Grains.ReactionShard(target.PostId, target.ReactionShards, user).Add(user, ReactionType.Like)));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Burst)]
    public async Task Naive()
    {
        var (target, users) = await NextBurstAsync();
        var grain = silo.Grains.GetGrain<INaivePostGrain>(target.PostId);
        await Task.WhenAll(users.Select(user => grain.React(user, ReactionType.Like)));
    }

    /// <summary>The post to react to (a new one once the current one has all its reactions) and 2,000 new users.</summary>
    private async Task<(PostSnapshot Post, string[] Users)> NextBurstAsync()
    {
        var burst = Interlocked.Increment(ref round);
        if (burst % (ReactionsPerPost / Burst) == 1)
        {
            post = (await author.PublishAll([new NewPost("author", "Big news")]))[0].Unwrap();
        }

        var prefix = $"u{burst}-";
        return (post, [.. Enumerable.Range(0, Burst).Select(i => prefix + i)]);
    }
}
