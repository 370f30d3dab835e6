using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using RseOrleans.Benchmarks.Baselines;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// One group post written to its source and pushed into every member's home feed, until the
/// last delivery is acknowledged; against the baseline of one awaited grain call per member with a
/// storage write per delivery, and the peer design of Orleans' classic social sample (the author's
/// grain calls every follower's grain at once, each writes its state). Deliveries per second =
/// audience / mean time. Each post's time, from the call until its last delivery is acknowledged,
/// is also recorded on its own: its percentiles over posts are the post-to-delivery latency of the
/// last reader (<see cref="OperationLatencies"/>). At 100,000 members the group is above the push
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
    private OperationLatencies postToLastDelivery = null!;

    /// <summary>Posts one after the other per invocation: enough to report percentiles per invocation.</summary>
    private const int PostsPerInvoke = 20;

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
        postToLastDelivery = new OperationLatencies($"{nameof(FeedDeliveryBenchmarks)}.{nameof(PublishAndFanOut)}(Audience={Audience})");
        foreach (var batch in members.Chunk(10_000))
        {
            await silo.Grains.GetGrain<IClassicAccountGrain>(author).AddFollowers(batch);
        }

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
        await ClassicSampleFanOut();
    }

    [GlobalCleanup]
    public async Task TearDown() => await silo.DisposeAsync();

    [Benchmark(OperationsPerInvoke = PostsPerInvoke)]
    public async Task PublishAndFanOut()
    {
        for (var i = 0; i < PostsPerInvoke; i++)
        {
            var start = Stopwatch.GetTimestamp();
            (await source.PublishAll([new NewPost(author, "Quarterly all-hands on Thursday")]))[0].Unwrap();
            postToLastDelivery.RecordSince(start);
        }

        postToLastDelivery.Report();
    }

    [Benchmark]
    public Task ClassicSampleFanOut() =>
        silo.Grains.GetGrain<IClassicAccountGrain>(author).Publish("Quarterly all-hands on Thursday");

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
