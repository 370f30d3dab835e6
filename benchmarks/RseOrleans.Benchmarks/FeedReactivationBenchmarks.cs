using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using HdrHistogram;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.TestServers;
using StackExchange.Redis;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Durable mode: the first read of a feed grain that has been deactivated, for readers who follow
/// 200 sources with 1,000 posts between them (a full 800-entry timeline). Restored from its Redis
/// snapshot and caught up from the activity log, against rebuilt from the activity log alone
/// (Redis flushed). Each operation is one reader's read, one after another, so the time per
/// operation is a latency; the percentiles of every single read are printed at the end.
/// Starts its own PostgreSQL and Redis (Debian's postgresql and redis-server packages).
/// </summary>
[Config(typeof(LatencyColumns))]
public class FeedReactivationBenchmarks : IAsyncDisposable
{
    private const int Readers = 20;
    private const int Sources = 200;
    private const int PostsPerSource = 5;

    private readonly PostgresServer postgres = new();
    private readonly RedisServer redis = new();
    private readonly LongHistogram restoreMicros = new(60_000_000, 3);
    private readonly LongHistogram rebuildMicros = new(60_000_000, 3);
    private BenchmarkSilo silo = null!;
    private ConnectionMultiplexer redisClient = null!;
    private string[] readers = [];
    private string keyPrefix = "";

    [GlobalSetup]
    public async Task SetUp()
    {
        await Task.WhenAll(postgres.StartAsync(), redis.StartAsync());
        keyPrefix = $"bench-{Guid.NewGuid():N}:";
        silo = await BenchmarkSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Engine:Mode"] = "Durable",
            ["ConnectionStrings:Postgres"] = postgres.ConnectionString,
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Durable:RedisKeyPrefix"] = keyPrefix,

            // A restore catches up on what was published since shortly before the save, to cover
            // fan-outs still under way then (one minute by default). Seeding posts everything just
            // before the save; a short margin, waited out below, keeps the catch-up to what a
            // restore meets in steady state: the few posts published since.
            ["Feed:TimelineCatchUpMargin"] = "00:00:01",
        });
        redisClient = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

        var sources = Enumerable.Range(0, Sources).Select(i => SourceId.User($"author-{i}")).ToArray();
        readers = [.. Enumerable.Range(0, Readers).Select(i => $"reader-{i}")];
        foreach (var batch in sources.Chunk(20))
        {
            await Task.WhenAll(batch.Select(async source =>
            {
                var grain = silo.Grains.GetGrain<ISourceGrain>(source.Key);
                for (var i = 0; i < PostsPerSource; i++)
                {
                    (await grain.PublishAll([new NewPost(source.Id, $"post {i}")]))[0].Unwrap();
                }

                await grain.AddAudience(readers);
            }));
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await Task.WhenAll(readers.Select(async reader =>
        {
            var feed = silo.Grains.GetGrain<IFeedGrain>(reader);
            foreach (var source in sources)
            {
                await feed.AddSource(source, []);
            }

            await feed.ReadBefore(null, 20);
        }));

        // Deactivation saves every timeline to Redis.
        await DeactivateAllAsync();
    }

    [GlobalCleanup]
    public async Task TearDown()
    {
        Print("restored from Redis", restoreMicros);
        Print("rebuilt from PostgreSQL", rebuildMicros);
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await silo.DisposeAsync();
        await redisClient.DisposeAsync();
        await redis.DisposeAsync();
        await postgres.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [IterationSetup(Target = nameof(RestoreFromRedis))]
    public void BeforeRestore() => DeactivateAllAsync().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(RebuildFromPostgres))]
    public void BeforeRebuild()
    {
        DeactivateAllAsync().GetAwaiter().GetResult();
        var keys = readers.Select(reader => (RedisKey)$"{keyPrefix}timeline:{reader}").ToArray();
        redisClient.GetDatabase().KeyDelete(keys);
    }

    [Benchmark(OperationsPerInvoke = Readers)]
    public Task RestoreFromRedis() => ReadEveryFeedAsync(restoreMicros);

    [Benchmark(Baseline = true, OperationsPerInvoke = Readers)]
    public Task RebuildFromPostgres() => ReadEveryFeedAsync(rebuildMicros);

    private async Task ReadEveryFeedAsync(LongHistogram latencies)
    {
        foreach (var reader in readers)
        {
            var started = Stopwatch.GetTimestamp();
            var page = await silo.Grains.GetGrain<IFeedGrain>(reader).ReadBefore(null, 20);
            latencies.RecordValue((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            if (page.Refs.Count != 20)
            {
                throw new InvalidOperationException($"The feed of {reader} came back with {page.Refs.Count} entries.");
            }
        }
    }

    private async Task DeactivateAllAsync()
    {
        var management = silo.Grains.GetGrain<IManagementGrain>(0);
        var self = silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        await management.ForceActivationCollection([self], TimeSpan.Zero);
    }

    private static void Print(string what, LongHistogram latencies)
    {
        if (latencies.TotalCount > 0)
        {
            Console.WriteLine(
                $"// Feed reactivation, {what}: {latencies.TotalCount} reads, p50 {latencies.GetValueAtPercentile(50) / 1000.0:F1} ms, " +
                $"p99 {latencies.GetValueAtPercentile(99) / 1000.0:F1} ms, max {latencies.GetMaxValue() / 1000.0:F1} ms");
        }
    }
}
