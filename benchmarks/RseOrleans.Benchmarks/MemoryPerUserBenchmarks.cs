using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Memory an active user costs: a user grain and a feed grain holding a 200-entry timeline, with
/// everything the engine keeps for them while they use it (activations, state, their account in the
/// silo's read model, their feed's entry in the silo's registry). Measured as the growth of the
/// managed heap, after full collections, while 2,000 registered users, whose grains are all out of
/// memory, become active the way a signed-in reader does: the API checks their account and they
/// read their home feed. Measured once the activations that leave by themselves within seconds
/// (the own source of a reader who never posted) are gone, and shown in the "Bytes/user" column
/// beside the cost of reading one of their feeds. "Stored bytes/user" is what a registered user
/// costs the heap with none of their grains in memory: the embedded default's in-memory storage
/// (in durable mode that is PostgreSQL's) and Orleans' directory cache of their past activations.
/// </summary>
[Config(typeof(Columns))]
public class MemoryPerUserBenchmarks
{
    private const int Users = 2_000;
    private const int WarmUpUsers = 100;
    private const int FeedEntries = 200;
    private static double bytesPerUser;
    private static double storedBytesPerUser;
    private BenchmarkSilo silo = null!;
    private int next;

    [GlobalSetup]
    public async Task SetUp()
    {
        silo = await BenchmarkSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Feed:BackfillPerSource"] = FeedEntries.ToString(CultureInfo.InvariantCulture),
        });
        var profile = new UserProfile("Author", "Engineer", "Engineering", "Paris", "Europe/Paris", "fr-FR", ["Orleans"]);
        await silo.Grains.GetGrain<IUserGrain>("author").Create(profile);
        var source = silo.Grains.GetGrain<ISourceGrain>(SourceId.User("author").Key);
        for (var i = 0; i < FeedEntries; i++)
        {
            (await source.PublishAll([new NewPost("author", $"Post {i}")]))[0].Unwrap();
        }

        var empty = await DeactivateAllAsync();
        await RegisterAsync(0, WarmUpUsers + Users);
        var registered = await DeactivateAllAsync();
        storedBytesPerUser = (registered - empty) / (double)(WarmUpUsers + Users);

        // What the activations leave behind for a while only: the own sources of readers who never
        // posted, which their feeds' rebuilds woke (Feed:EmptySourceLeavesAfter).
        var transient = silo.Services.GetRequiredService<IOptions<FeedOptions>>().Value.EmptySourceLeavesAfter + TimeSpan.FromSeconds(2);
        await ActivateAsync(0, WarmUpUsers);
        await Task.Delay(transient);
        var before = Heap();
        await ActivateAsync(WarmUpUsers, WarmUpUsers + Users);
        await Task.Delay(transient);
        bytesPerUser = (Heap() - before) / (double)Users;
    }

    [GlobalCleanup]
    public async Task TearDown() => await silo.DisposeAsync();

    [Benchmark]
    public Task<FeedRefPage> ReadAnActiveUsersFeed() =>
        silo.Grains.GetGrain<IFeedGrain>($"user-{WarmUpUsers + (next++ % Users)}").ReadBefore(null, 20);

    private async Task RegisterAsync(int from, int to)
    {
        foreach (var batch in Enumerable.Range(from, to - from).Chunk(100))
        {
            await Task.WhenAll(batch.Select(async i =>
            {
                // Each user's own strings, as a profile read from storage or a request has them.
                var profile = new UserProfile($"Reader {i}", "Engineer", "Engineering", "Paris", "Europe/Paris", "fr-FR", ["Orleans"]);
                var user = silo.Grains.GetGrain<IUserGrain>($"user-{i}");
                await user.Create(profile);
                await user.Follow("author");
            }));
        }
    }

    /// <summary>What the engine does for a signed-in reader: the API's account check, then a page of their home feed.</summary>
    private async Task ActivateAsync(int from, int to)
    {
        foreach (var batch in Enumerable.Range(from, to - from).Chunk(100))
        {
            await Task.WhenAll(batch.Select(async i =>
            {
                await silo.Grains.GetGrain<IUserGrain>($"user-{i}").GetAccount();
                await silo.Grains.GetGrain<IFeedGrain>($"user-{i}").ReadBefore(null, 20);
            }));
        }
    }

    /// <summary>Takes every grain out of memory (memory storage keeps its state) and returns the heap left.</summary>
    private async Task<long> DeactivateAllAsync()
    {
        await silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        return Heap();
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(
            new BytesColumn("Bytes/user", "Managed heap growth per active user (user + feed grain, 200-entry feed)", () => bytesPerUser),
            new BytesColumn("Stored bytes/user", "Heap per registered user with none of their grains in memory (in-memory storage, directory cache)", () => storedBytesPerUser),
            StatisticColumn.Median);
    }

    private sealed class BytesColumn(string name, string legend, Func<double> value) : IColumn
    {
        public string Id => $"{nameof(BytesColumn)}.{name}";

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Size;

        public string Legend => legend;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value().ToString("N0", CultureInfo.InvariantCulture);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
