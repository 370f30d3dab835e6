using BenchmarkDotNet.Attributes;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// One group post written to its source and pushed into every member's home feed, until the
/// last delivery is acknowledged. Deliveries per second = audience size / mean time.
/// </summary>
[MemoryDiagnoser]
public class FeedDeliveryBenchmarks
{
    private EmbeddedSilo silo = null!;
    private ISourceGrain source = null!;
    private string author = "";
    private int sequence;

    [Params(10, 1_000, 10_000)]
    public int Audience { get; set; }

    [GlobalSetup]
    public async Task SetUp()
    {
        silo = await EmbeddedSilo.StartAsync();
        var groupId = $"bench-{Audience}";
        var group = silo.Grains.GetGrain<IGroupGrain>(groupId);
        author = "member-0";
        await silo.Grains.GetGrain<IUserGrain>(author).Create(new UserProfile("Author", "", "", "", "", "", []), "create");
        await group.Create(author, new GroupSpec("Benchmark", "", GroupVisibility.Open, PostingPolicy.AllMembers), "create");

        for (var start = 1; start < Audience; start += 500)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(500, Audience - start))
                .Select(i => group.AddMember(author, $"member-{i}", $"add-{i}")));
        }

        source = silo.Grains.GetGrain<ISourceGrain>(SourceId.Group(groupId).Key);

        // Activate every feed grain before measuring: the benchmark measures delivery, not activation.
        await source.Publish(new NewPost(author, "warm-up", "warm-up"));
    }

    [GlobalCleanup]
    public async Task TearDown() => await silo.DisposeAsync();

    [Benchmark]
    public Task<PostSnapshot> PublishAndFanOut() =>
        source.Publish(new NewPost(author, "Quarterly all-hands on Thursday", $"post-{Interlocked.Increment(ref sequence)}"));
}
