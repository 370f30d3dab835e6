using BenchmarkDotNet.Attributes;
using RseOrleans.Benchmarks.Baselines;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// A viral post: 2,000 distinct users react at once. Sharded, group-committed reactions against
/// the baseline of every reaction queued on the post grain with its own storage write.
/// Reactions per second = 1 s / time per operation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class HotPostReactionBenchmarks
{
    private const int Burst = 2_000;
    private BenchmarkSilo silo = null!;
    private PostSnapshot post = null!;
    private long naivePostId;
    private int round;

    [GlobalSetup]
    public async Task SetUp()
    {
        silo = await BenchmarkSilo.StartAsync();
        await silo.Grains.GetGrain<IUserGrain>("author").Create(new UserProfile("Author", "", "", "", "", "", []), "create");
        post = await silo.Grains.GetGrain<ISourceGrain>(SourceId.User("author").Key).Publish(new NewPost("author", "Big news", "post"));
        naivePostId = post.PostId + 1;
        await Sharded();
        await Naive();
    }

    [GlobalCleanup]
    public async Task TearDown() => await silo.DisposeAsync();

    [Benchmark(OperationsPerInvoke = Burst)]
    public Task Sharded()
    {
        var users = NextUsers();
        return Task.WhenAll(users.Select(user =>
            silo.Grains.ReactionShard(post.PostId, post.ReactionShards, user).Add(user, ReactionType.Like, "r")));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Burst)]
    public Task Naive()
    {
        var grain = silo.Grains.GetGrain<INaivePostGrain>(naivePostId);
        return Task.WhenAll(NextUsers().Select(user => grain.React(user, ReactionType.Like)));
    }

    private string[] NextUsers()
    {
        var prefix = $"u{Interlocked.Increment(ref round)}-";
        return Enumerable.Range(0, Burst).Select(i => prefix + i).ToArray();
    }
}
