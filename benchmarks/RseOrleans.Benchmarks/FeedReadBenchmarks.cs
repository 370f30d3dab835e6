using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// A page of 20 hydrated home-feed items for a reader who follows 50 colleagues with 20 posts
/// each: read inside the engine, over gRPC on loopback, and 64 gRPC reads at once by 64 such
/// readers (throughput: many people reading at the same time, as in a real network). Every gRPC
/// read carries a bearer token that the engine verifies, as in a deployment.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class FeedReadBenchmarks
{
    private const string Reader = "reader";
    private const int Concurrent = 64;

    /// <summary>Half the target's 20,000 reads a second: where its p99 ≤ 10 ms holds.</summary>
    private const int HalfTargetRate = 10_000;
    private const int RateSeconds = 2;
    private BenchmarkEngine engine = null!;
    private Feeds.FeedsClient feeds = null!;
    private FeedPager pager = null!;
    private IFeedGrain feed = null!;
    private readonly Metadata asReader = BenchmarkTokens.Caller(Reader);
    private readonly Metadata[] asConcurrentReaders = [.. Enumerable.Range(0, Concurrent).Select(i => BenchmarkTokens.Caller($"{Reader}-{i}"))];
    private readonly OperationLatencies openLoopReads = new($"{nameof(FeedReadBenchmarks)}.{nameof(GrpcPagesAtHalfTheTargetRate)}");

    [GlobalSetup]
    public async Task SetUp()
    {
        engine = await BenchmarkEngine.StartAsync(BenchmarkTokens.EngineArguments);
        var grains = engine.Grains;
        pager = engine.Services.GetRequiredService<FeedPager>();
        feed = grains.GetGrain<IFeedGrain>(Reader);

        var readers = Enumerable.Range(0, Concurrent).Select(i => $"{Reader}-{i}").Prepend(Reader).ToArray();
        await ColleagueNetwork.SeedAsync(grains, readers);

        feeds = new Feeds.FeedsClient(engine.Channel);
        await GrpcPageOnLoopback();
        await GrpcPagesConcurrently();
    }

    [GlobalCleanup]
    public Task TearDown() => engine.DisposeAsync().AsTask();

    [Benchmark(Baseline = true)]
    public Task<FeedPage> HydratedPageInProcess() => pager.ReadPageAsync(feed.ReadBefore, null, 20, Reader, "home");

    [Benchmark]
    public Task<FeedPage> GrpcPageOnLoopback() => ReadOverGrpc(asReader);

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task GrpcPagesConcurrently() => Task.WhenAll(asConcurrentReaders.Select(ReadOverGrpc));

    /// <summary>
    /// 10,000 reads a second for 2 s, open loop: each read is sent when due, whatever the others
    /// take, and its latency counts from then, so queueing shows. Prints the percentiles of each run
    /// (BenchmarkDotNet's time is the run's length, not a latency); <c>benchmarks/run.sh</c> merges
    /// those of the measured iterations.
    /// </summary>
    [Benchmark(OperationsPerInvoke = HalfTargetRate * RateSeconds)]
    public async Task GrpcPagesAtHalfTheTargetRate()
    {
        var reads = new List<Task>(HalfTargetRate * RateSeconds);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < HalfTargetRate * RateSeconds; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / HalfTargetRate);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            // Sent up to a millisecond early rather than spinning: its latency then counts from the send.
            reads.Add(TimedReadAsync(asConcurrentReaders[i % Concurrent], Math.Min(due, Stopwatch.GetTimestamp())));
        }

        await Task.WhenAll(reads);
        openLoopReads.Report();
    }

    private async Task TimedReadAsync(Metadata caller, long from)
    {
        await ReadOverGrpc(caller);
        openLoopReads.RecordSince(from);
    }

    private Task<FeedPage> ReadOverGrpc(Metadata caller) =>
        feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 20 }, caller).ResponseAsync;
}
