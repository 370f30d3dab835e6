using System.Globalization;
using BenchmarkDotNet.Attributes;
using RseOrleans.Api.Reactions;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// What notifying the author costs a hot post's reactions: the same bursts as
/// <see cref="HotPostReactionBenchmarks"/> (2,000 distinct users at once, batched per shard as the
/// API sends them, a new post every 50,000 reactions), with the shards' notification bookkeeping on
/// (the default: each commit nets its changes per user and sends one one-way call to the author's
/// notifications, which writes its state) and off (<c>Reactions:NotifyAuthors=false</c>), each case
/// in a silo of its own, in the same run. The bound: "with" at most 10 % slower than "without".
/// The author's single notification group of each post counts every reaction exactly.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class HotPostNotificationBenchmarks
{
    private const int Burst = 2_000;
    private const int ReactionsPerPost = 50_000;
    private BenchmarkSilo silo = null!;
    private ReactionBatcher batcher = null!;
    private ISourceGrain author = null!;
    private PostSnapshot post = null!;
    private int round;

    [Params(false, true)]
    public bool NotifyAuthors { get; set; }

    [GlobalSetup]
    public async Task SetUp()
    {
        silo = await BenchmarkSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Reactions:NotifyAuthors"] = NotifyAuthors.ToString(CultureInfo.InvariantCulture),
        });
        await silo.Grains.GetGrain<IUserGrain>("author").Create(new UserProfile("Author", "", "", "", "", "", []));
        author = silo.Grains.GetGrain<ISourceGrain>(SourceId.User("author").Key);
        batcher = new ReactionBatcher(silo.Grains);
        await ReactToAHotPost();
    }

    [GlobalCleanup]
    public async Task TearDown() => await silo.DisposeAsync();

    [Benchmark(OperationsPerInvoke = Burst)]
    public async Task ReactToAHotPost()
    {
        var burst = Interlocked.Increment(ref round);
        if (burst % (ReactionsPerPost / Burst) == 1)
        {
            post = (await author.PublishAll([new NewPost("author", "Big news")]))[0].Unwrap();
        }

        var prefix = $"u{burst}-";
        await Task.WhenAll(Enumerable.Range(0, Burst).Select(i =>
            batcher.AddAsync(post.PostId, post.ReactionShards, prefix + i, ReactionType.Like)));
    }
}
