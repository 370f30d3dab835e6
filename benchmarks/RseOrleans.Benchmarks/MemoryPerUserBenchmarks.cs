using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Memory an active user costs: a user grain and a feed grain holding a 200-entry timeline, with
/// everything the engine keeps for them (activations, state, source audiences). Measured as the
/// growth of the managed heap, after full collections, while 2,000 users become active; shown in
/// the "Bytes/user" column beside the cost of reading one of their feeds.
/// </summary>
[Config(typeof(Columns))]
public class MemoryPerUserBenchmarks
{
    private const int Users = 2_000;
    private const int FeedEntries = 200;
    private static double bytesPerUser;
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
        await silo.Grains.GetGrain<IUserGrain>("author").Create(profile, "create");
        var source = silo.Grains.GetGrain<ISourceGrain>(SourceId.User("author").Key);
        for (var i = 0; i < FeedEntries; i++)
        {
            await source.Publish(new NewPost("author", $"Post {i}", $"post-{i}"));
        }

        await ActivateAsync(0, 100);
        var before = Heap();
        await ActivateAsync(100, Users + 100);
        bytesPerUser = (Heap() - before) / (double)Users;
    }

    [GlobalCleanup]
    public async Task TearDown() => await silo.DisposeAsync();

    [Benchmark]
    public Task<FeedRefPage> ReadAnActiveUsersFeed() =>
        silo.Grains.GetGrain<IFeedGrain>($"user-{100 + (next++ % Users)}").ReadBefore(null, 20);

    private async Task ActivateAsync(int from, int to)
    {
        var profile = new UserProfile("Reader", "Engineer", "Engineering", "Paris", "Europe/Paris", "fr-FR", ["Orleans"]);
        foreach (var batch in Enumerable.Range(from, to - from).Chunk(100))
        {
            await Task.WhenAll(batch.Select(async i =>
            {
                var user = silo.Grains.GetGrain<IUserGrain>($"user-{i}");
                await user.Create(profile, "create");
                await user.Follow("author", "follow");
            }));
        }
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
        public Columns() => AddColumn(new BytesPerUserColumn(), StatisticColumn.Median);
    }

    private sealed class BytesPerUserColumn : IColumn
    {
        public string Id => nameof(BytesPerUserColumn);

        public string ColumnName => "Bytes/user";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Size;

        public string Legend => "Managed heap growth per active user (user + feed grain, 200-entry feed)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => bytesPerUser.ToString("N0", CultureInfo.InvariantCulture);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
