using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.Search;
using RseOrleans.Api.V1;
using RseOrleans.TestServers;

namespace RseOrleans.Benchmarks;

/// <summary>
/// What search indexing costs the engine's post and feed figures (issue 15: no more than 10 % worse
/// with indexing on), in the embedded engine people run by default and in durable mode (PostgreSQL
/// and Redis started here, a fresh pair per case), through the API with verified tokens, with
/// <c>Search:Indexing</c> on and off in the same run (each case on an engine of its own). The network is <see cref="ColleagueNetwork"/>'s: 50 colleagues who posted 20 times each,
/// each followed by the 64 readers, whose feeds are active.
/// <list type="bullet">
/// <item><see cref="CreatePostsConcurrently"/>: the 50 colleagues post at once, 20 posts each one
/// after the other (1,000 <c>CreatePost</c> calls an invocation, each delivered to 64 feeds). With
/// indexing on, the invocation ends only once every post is indexed (embedded: the feeder is no
/// longer behind, <see cref="SearchIndexFeeder.IsBehind"/>; durable: the indexers' queues are
/// empty, the rounds left run by the benchmark itself, <see cref="SearchQueues.DrainAsync"/>), so
/// the indexing those posts cause is inside the measured time, and the indexing loop's idle pause
/// (up to a quarter of a second, which no writer waits for) is not. Posts per second = 1 s / time
/// per operation.</item>
/// <item><see cref="GrpcPagesConcurrently"/>: 64 home-feed pages read at once, as
/// <see cref="FeedReadBenchmarks"/> reads them, while nothing is posted: what an index that holds
/// the network's posts (and the feeder waiting for work) costs reads.</item>
/// </list>
/// Left out: comments, edits,
/// deletes and profile changes, which are indexed too; searches running meanwhile; feed reads
/// while posts are being indexed; a large index (the reads' holds the 1,000 seeded posts and the
/// 114 people); the work both cases leave running after an invocation (the posts' events handed on
/// to the webhook registries, their outboxes cleared), which is not waited for.
/// In one process the first cases still warm it up (its first gRPC reads ran 230 µs falling to
/// 92 µs over six rounds, where later cases held 38 µs from the start), so figures compare cases
/// run each in processes of their own: RSE_BENCH_INDEXING and RSE_BENCH_DURABLE (on or off) pick one
/// case, as docs/performance.md's commands do. Run together, indexing on runs first
/// (<see cref="IndexingOnFirst"/>), so that the warm-up never flatters it.
/// </summary>
/// <remarks>
/// Each colleague posts far more often than a person does: the write allowance (<c>Limits</c>) is
/// off so that it refuses none.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(IndexingOnFirst))]
public class SearchIndexingCostBenchmarks
{
    private const int Readers = 64;
    private const int Authors = 50;
    private const int PostsEach = 20;

    private BenchmarkEngine engine = null!;
    private Feeds.FeedsClient feeds = null!;
    private Posts.PostsClient posts = null!;
    private SearchIndexFeeder? feeder;
    private int round;
    private readonly Metadata[] asReaders = [.. Enumerable.Range(0, Readers).Select(i => BenchmarkTokens.Caller($"reader-{i}"))];
    private readonly Metadata[] asAuthors = [.. Enumerable.Range(0, Authors).Select(i => BenchmarkTokens.Caller($"author-{i}"))];

    [ParamsSource(nameof(IndexingCases))]
    public bool Indexing { get; set; }

    /// <summary>Durable mode: posts are indexed from the activity log in PostgreSQL, where the issue sets its target.</summary>
    [ParamsSource(nameof(DurableCases))]
    public bool Durable { get; set; }

    /// <summary>
    /// Both by default; RSE_BENCH_INDEXING=on or off runs one, so that each case can run in a
    /// process of its own (the first cases of a process still warm it up, whatever they measure).
    /// </summary>
    public static IEnumerable<bool> IndexingCases => OneCasePerProcess.OnOff("RSE_BENCH_INDEXING", true, false);

    /// <summary>Both by default; RSE_BENCH_DURABLE=on or off runs one.</summary>
    public static IEnumerable<bool> DurableCases => OneCasePerProcess.OnOff("RSE_BENCH_DURABLE", false, true);

    private PostgresServer? postgres;
    private RedisServer? redis;

    [GlobalSetup]
    public async Task SetUp()
    {
        string[] settings = [$"--Search:Indexing={Indexing}", "--Limits:WritesPerMinute=0"];
        if (Durable)
        {
            (postgres, redis) = (new PostgresServer(), new RedisServer());
            engine = await BenchmarkEngine.StartDurableAsync(postgres, redis, settings);
        }
        else
        {
            engine = await BenchmarkEngine.StartAsync([.. settings, .. BenchmarkTokens.EngineArguments]);
        }

        feeder = engine.Services.GetService<SearchIndexFeeder>();
        if ((feeder is not null) != Indexing)
        {
            throw new InvalidOperationException($"Search:Indexing={Indexing}, but the engine {(feeder is null ? "has no" : "has a")} search feeder: no figure is taken on the wrong engine.");
        }

        await ColleagueNetwork.SeedAsync(engine.Grains, [.. Enumerable.Range(0, Readers).Select(i => $"reader-{i}")]);
        feeds = new Feeds.FeedsClient(engine.Channel);
        posts = new Posts.PostsClient(engine.Channel);

        // Every reader reads once, so all feeds are active and take deliveries; the seeded posts are indexed before any measure.
        await GrpcPagesConcurrently();
        await UntilIndexedAsync();
    }

    [GlobalCleanup]
    public async Task TearDown()
    {
        await engine.DisposeAsync();
        if (postgres is not null && redis is not null)
        {
            await postgres.DisposeAsync();
            await redis.DisposeAsync();
        }
    }

    [Benchmark(OperationsPerInvoke = Authors * PostsEach)]
    public async Task CreatePostsConcurrently()
    {
        var invocation = Interlocked.Increment(ref round);
        await Task.WhenAll(asAuthors.Select(async author =>
        {
            for (var i = 0; i < PostsEach; i++)
            {
                await posts.CreatePostAsync(new CreatePostRequest { RequestId = $"post-{invocation}-{i}", Text = $"Update {i} of round {invocation}: the #release notes are out" }, author);
            }
        }));

        await UntilIndexedAsync();
    }

    [Benchmark(OperationsPerInvoke = Readers)]
    public Task GrpcPagesConcurrently() =>
        Task.WhenAll(asReaders.Select(caller => feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 20 }, caller).ResponseAsync));

    /// <summary>
    /// Until the feeder has applied every event taken so far and, in durable mode, every post,
    /// person and group queued is indexed, the remaining rounds run here rather than after the
    /// indexer's idle pause (at once when indexing is off: nothing feeds the index).
    /// </summary>
    private async Task UntilIndexedAsync()
    {
        while (feeder is { IsBehind: true })
        {
            await Task.Delay(1);
        }

        if (Durable && Indexing)
        {
            await SearchQueues.DrainAsync(engine.Services);
        }
    }

    /// <summary>Indexing on runs before indexing off.</summary>
    public sealed class IndexingOnFirst() : TrueCasesFirst(nameof(Indexing));
}
