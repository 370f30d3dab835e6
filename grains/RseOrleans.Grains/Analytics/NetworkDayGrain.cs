using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

[GenerateSerializer]
[Alias("rse.analytics.NetworkDayState")]
public sealed class NetworkDayState
{
    [Id(0)]
    public HashSet<string> Active { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public HashSet<string> Contributors { get; set; } = new(StringComparer.Ordinal);

    [Id(2)]
    public long Posts { get; set; }

    [Id(3)]
    public long Comments { get; set; }

    [Id(4)]
    public long Reactions { get; set; }

    [Id(5)]
    public long Shares { get; set; }

    [Id(6)]
    public long Served { get; set; }

    [Id(7)]
    public long Version { get; set; }
}

/// <summary>The network's day: who was active (exact, distinct), who contributed, and the acts counted.</summary>
[GrainType("analytics-network-day")]
public sealed class NetworkDayGrain(
    [PersistentState("analytics-network-day", StorageNames.Main)] IPersistentState<NetworkDayState> state) : Grain, INetworkDayGrain
{
    public async Task Record(ActivityBatch batch)
    {
        var day = state.State;
        day.Active.UnionWith(batch.Readers);
        foreach (var act in batch.Acts)
        {
            day.Active.Add(act.ActorId);
            day.Contributors.Add(act.ActorId);
            switch (act.Act)
            {
                case AnalyticsAct.Post: day.Posts++; break;
                case AnalyticsAct.Comment: day.Comments++; break;
                case AnalyticsAct.Reaction: day.Reactions++; break;
                case AnalyticsAct.Share: day.Shares++; break;
            }
        }

        day.Served += batch.Served;
        day.Version++;
        await state.WriteStateAsync();
    }

    public Task<NetworkDay> Get()
    {
        var day = state.State;
        return Task.FromResult(new NetworkDay([.. day.Active], [.. day.Contributors], day.Posts, day.Comments, day.Reactions, day.Shares, day.Served, day.Version));
    }

    public Task<long> GetVersion() => Task.FromResult(state.State.Version);
}
