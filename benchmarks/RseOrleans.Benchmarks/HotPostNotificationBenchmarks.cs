using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace RseOrleans.Benchmarks;

/// <summary>
/// What notifying the author costs a hot post's reactions: the bursts of
/// <see cref="HotPostReactionBenchmarks.ShardedBatched"/>, with the shards' notification
/// bookkeeping on (the default: each commit nets its changes per user and sends one one-way call to
/// the author's notifications) and off (<c>Reactions:NotifyAuthors=false</c>), each case in a silo
/// of its own. The bound: "with" at most 10 % slower than "without". The author's single
/// notification group of each post counts every reaction exactly. The first case of a process still
/// warms it up, so a comparison runs each case alone (RSE_BENCH_NOTIFY=on or off), "with" first.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(NotifyFirst))]
public class HotPostNotificationBenchmarks
{
    private HotPost hotPost = null!;

    [ParamsSource(nameof(NotifyCases))]
    public bool NotifyAuthors { get; set; }

    /// <summary>Both by default; RSE_BENCH_NOTIFY=on or off runs one.</summary>
    public static IEnumerable<bool> NotifyCases => OneCasePerProcess.OnOff("RSE_BENCH_NOTIFY", true, false);

    public sealed class NotifyFirst() : TrueCasesFirst(nameof(NotifyAuthors));

    [GlobalSetup]
    public async Task SetUp()
    {
        hotPost = await HotPost.StartAsync(new Dictionary<string, string?>
        {
            ["Reactions:NotifyAuthors"] = NotifyAuthors.ToString(CultureInfo.InvariantCulture),
        });
        await ReactToAHotPost();
    }

    [GlobalCleanup]
    public async Task TearDown() => await hotPost.DisposeAsync();

    [Benchmark(OperationsPerInvoke = HotPost.Burst)]
    public Task ReactToAHotPost() => hotPost.ReactBatchedAsync();
}
