using BenchmarkDotNet.Attributes;
using RseOrleans.Benchmarks.Baselines;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// One group post written to its source and pushed into every member's home feed, until the
/// last delivery is acknowledged; against the baseline of one awaited grain call per member with a
/// storage write per delivery. Deliveries per second = audience / mean time; the time is also the
/// post-to-delivery latency of the last reader. At 100,000 members the group is above the push
/// threshold: publishing costs the same as for a small group, and readers pull the post.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class FeedDeliveryBenchmarks
{
    private BenchmarkSilo silo = null!;
    private ISourceGrain source = null!;
    private string author = "";
    private string[] members = [];
    private int sequence;

    [Params(10, 1_000, 10_000, 100_000)]
    public int Audience { get; set; }

    [GlobalSetup]
    public async Task SetUp()
    {
        silo = await BenchmarkSilo.StartAsync();
        var groupId = $"bench-{Audience}";
        var group = silo.Grains.GetGrain<IGroupGrain>(groupId);
        members = Enumerable.Range(0, Audience).Select(i => $"member-{i}").ToArray();
        author = members[0];
        await silo.Grains.GetGrain<IUserGrain>(author).Create(new UserProfile("Author", "", "", "", "", "", []));
        await group.Create(author, new GroupSpec("Benchmark", "", GroupVisibility.Open, PostingPolicy.AllMembers), "create");

        foreach (var (batch, index) in members.Skip(1).Chunk(1_000).Select((batch, index) => (batch, index)))
        {
            await group.AddMembers(author, batch, $"add-{index}");
        }

        source = silo.Grains.GetGrain<ISourceGrain>(SourceId.Group(groupId).Key);

        // Every member reads once, so all count as active readers: this measures delivery, not
        // the skipping of inactive readers.
        foreach (var batch in members.Chunk(1_000))
        {
            await Task.WhenAll(batch.Select(member => silo.Grains.GetGrain<IFeedGrain>(member).ReadBefore(null, 1)));
        }

        // Activate every feed grain, ours and the baseline's, before measuring: the benchmark
        // measures delivery, not activation.
        (await source.PublishAll([new NewPost(author, "warm-up")]))[0].Unwrap();
        await NaiveFanOut();
    }

    [GlobalCleanup]
    public async Task TearDown() => await silo.DisposeAsync();

    [Benchmark]
    public Task<BatchOutcome<PostSnapshot>[]> PublishAndFanOut() =>
        source.PublishAll([new NewPost(author, "Quarterly all-hands on Thursday")]);

    [Benchmark(Baseline = true)]
    public async Task NaiveFanOut()
    {
        var postId = Interlocked.Increment(ref sequence);
        foreach (var member in members)
        {
            await silo.Grains.GetGrain<INaiveFeedGrain>(member).Deliver(postId);
        }
    }
}
