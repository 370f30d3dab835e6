using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using HdrHistogram;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Grains;
using RseOrleans.Grains.Durability;
using RseOrleans.Model;
using RseOrleans.TestServers;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Durable mode: one real account joining an open group of <see cref="Members"/> members, one join
/// after another, so the time per operation is a latency; the percentiles of every single join are
/// printed at the end. The group's member rows are seeded straight into the member store before the
/// group grain activates, so the joins meet a group of that size as it is after a restart. The question it answers: does a join cost what it
/// costs in a small team once the group has 100,000 members? Starts its own PostgreSQL and Redis.
/// </summary>
[Config(typeof(LatencyColumns))]
public class GroupJoinBenchmarks : IAsyncDisposable
{
    private const int JoinsPerIteration = 50;

    private readonly PostgresServer postgres = new();
    private readonly RedisServer redis = new();
    private readonly LongHistogram joinMicros = new(60_000_000, 3);
    private BenchmarkSilo silo = null!;
    private IGroupGrain group = null!;
    private string[] joiners = [];
    private int round;

    [Params(10, 100_000)]
    public int Members { get; set; }

    [GlobalSetup]
    public async Task SetUp()
    {
        await Task.WhenAll(postgres.StartAsync(), redis.StartAsync());
        silo = await BenchmarkSilo.StartAsync(new Dictionary<string, string?>
        {
            ["Engine:Mode"] = "Durable",
            ["ConnectionStrings:Postgres"] = postgres.ConnectionString,
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Durable:RedisKeyPrefix"] = $"bench-{Guid.NewGuid():N}:",
        });

        var groupId = $"bench-{Members}";
        var owner = await CreateAccountAsync("owner");
        group = silo.Grains.GetGrain<IGroupGrain>(groupId);
        await group.Create(owner, new GroupSpec("Everyone", "", GroupVisibility.Open, PostingPolicy.AllMembers), "create");

        // The seeded members are ids, not accounts: a join touches the joiner's grains, never theirs.
        var seeded = Enumerable.Range(1, Members - 1).Select(i => $"member-{i}").ToArray();
        var store = silo.Services.GetRequiredService<IMemberSetStore>();
        var set = await store.LoadAsync(SourceId.Group(groupId).Key);
        var since = DateTimeOffset.UnixEpoch.AddYears(50);
        foreach (var memberId in seeded)
        {
            set.Members[memberId] = new GroupMember(memberId, GroupRole.Member, since);
        }

        await store.WriteAsync(set, seeded);

        // The group grain reads its members back from the rows at its next activation, and its
        // source takes its audience from the group.
        await DeactivateAllAsync();
        if ((await group.Get())!.MemberCount != Members)
        {
            throw new InvalidOperationException($"The group came back with {(await group.Get())!.MemberCount} members instead of {Members}.");
        }
    }

    [GlobalCleanup]
    public async Task TearDown()
    {
        if (joinMicros.TotalCount > 0)
        {
            Console.WriteLine(
                $"// Group join, {Members:N0} members, durable: {joinMicros.TotalCount} joins, p50 {joinMicros.GetValueAtPercentile(50) / 1000.0:F2} ms, " +
                $"p99 {joinMicros.GetValueAtPercentile(99) / 1000.0:F2} ms, max {joinMicros.GetMaxValue() / 1000.0:F2} ms");
        }

        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await silo.DisposeAsync();
        await redis.DisposeAsync();
        await postgres.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Fresh accounts for each iteration: a join of someone already in the group changes nothing.</summary>
    [IterationSetup]
    public void CreateJoiners()
    {
        round++;
        joiners = Task.WhenAll(Enumerable.Range(0, JoinsPerIteration).Select(i => CreateAccountAsync($"joiner-{round}-{i}")))
            .GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = JoinsPerIteration)]
    public async Task Join()
    {
        foreach (var joiner in joiners)
        {
            var started = Stopwatch.GetTimestamp();
            var outcome = await group.Join(joiner);
            joinMicros.RecordValue((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            if (outcome != JoinOutcome.Joined)
            {
                throw new InvalidOperationException($"{joiner} did not join: {outcome}.");
            }
        }
    }

    private async Task<string> CreateAccountAsync(string userId)
    {
        await silo.Grains.GetGrain<IUserGrain>(userId).Create(new UserProfile(userId, "", "", "", "", "", []));
        return userId;
    }

    private async Task DeactivateAllAsync()
    {
        var management = silo.Grains.GetGrain<IManagementGrain>(0);
        var self = silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        await management.ForceActivationCollection([self], TimeSpan.Zero);
    }
}
