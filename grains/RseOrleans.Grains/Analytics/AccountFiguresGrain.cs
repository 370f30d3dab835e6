using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

[GenerateSerializer]
[Alias("rse.analytics.AccountFiguresState")]
public sealed class AccountFiguresState
{
    [Id(0)]
    public HashSet<string> Known { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public HashSet<string> Activated { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Activation: accounts created or seen since counting began, and those that ever acted.</summary>
[GrainType("analytics-accounts")]
public sealed class AccountFiguresGrain(
    [PersistentState("analytics-accounts", StorageNames.Main)] IPersistentState<AccountFiguresState> state) : Grain, IAccountFiguresGrain
{
    public async Task Record(IReadOnlyList<string> seen, IReadOnlyList<string> acted)
    {
        var before = (state.State.Known.Count, state.State.Activated.Count);
        state.State.Known.UnionWith(seen);
        state.State.Known.UnionWith(acted);
        state.State.Activated.UnionWith(acted);
        if (before != (state.State.Known.Count, state.State.Activated.Count))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<AccountFigures> Get() => Task.FromResult(new AccountFigures(state.State.Known.Count, state.State.Activated.Count));
}
