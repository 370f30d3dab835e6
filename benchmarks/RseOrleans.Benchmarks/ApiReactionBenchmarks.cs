using BenchmarkDotNet.Attributes;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using ReactionType = RseOrleans.Api.V1.ReactionType;

namespace RseOrleans.Benchmarks;

/// <summary>
/// A hot post as its readers make it, through the API: 2,000 people, each with a verified bearer
/// token, call <c>AddReaction</c> on the same post at once over gRPC on loopback, burst after
/// burst, each burst with the next reaction type (so every reaction is new), a new post every five
/// bursts. Each call pays for what the engine does per reaction: the token, the caller's account,
/// the write allowance, the request ledger (two grain calls), the post's visibility, and the
/// shard's group commit. Left out: the network (loopback) and the client's own cost is on the
/// same two cores. Reactions per second = 1 s / time per operation.
/// </summary>
/// <remarks>
/// Each user reacts every few tenths of a second here, far more often than a person does: the
/// engine's write allowance (<c>Limits</c>) is raised so that it does not refuse them; it is still
/// checked on every call.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class ApiReactionBenchmarks
{
    private const int Burst = 2_000;
    private static readonly ReactionType[] Types =
        [ReactionType.Like, ReactionType.Celebrate, ReactionType.Support, ReactionType.Insightful, ReactionType.Curious];

    private BenchmarkEngine engine = null!;
    private Posts.PostsClient posts = null!;
    private Metadata asAuthor = null!;
    private Metadata[] asReactors = [];
    private string postId = "";
    private int round;

    [GlobalSetup]
    public async Task SetUp()
    {
        engine = await BenchmarkEngine.StartAsync(["--Limits:WritesPerMinute=60000", "--Limits:WriteBurst=1000", .. BenchmarkTokens.EngineArguments]);
        var grains = engine.Grains;
        var profile = new Model.UserProfile("Colleague", "Engineer", "Engineering", "Paris", "Europe/Paris", "fr-FR", []);
        await grains.GetGrain<IUserGrain>("author").Create(profile with { DisplayName = "Author" });
        var reactors = Enumerable.Range(0, Burst).Select(i => $"reactor-{i}").ToArray();
        foreach (var batch in reactors.Chunk(200))
        {
            await Task.WhenAll(batch.Select(reactor => grains.GetGrain<IUserGrain>(reactor).Create(profile)));
        }

        asAuthor = BenchmarkTokens.Caller("author");
        asReactors = [.. reactors.Select(BenchmarkTokens.Caller)];
        posts = new Posts.PostsClient(engine.Channel);
        await AddReactions();
    }

    [GlobalCleanup]
    public Task TearDown() => engine.DisposeAsync().AsTask();

    [Benchmark(OperationsPerInvoke = Burst)]
    public async Task AddReactions()
    {
        var burst = round++;
        if (burst % Types.Length == 0)
        {
            postId = (await posts.CreatePostAsync(new CreatePostRequest { RequestId = $"post-{burst}", Text = "Big news" }, asAuthor)).PostId;
        }

        var type = Types[burst % Types.Length];
        await Task.WhenAll(asReactors.Select((reactor, i) =>
            posts.AddReactionAsync(new AddReactionRequest { RequestId = $"react-{burst}-{i}", PostId = postId, Type = type }, reactor).ResponseAsync));
    }
}
