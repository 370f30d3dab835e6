namespace RseOrleans.Grains.Fanout;

[GenerateSerializer]
[Alias("rse.PullRegistryState")]
public sealed class PullRegistryState
{
    [Id(0)]
    public HashSet<string> Sources { get; set; } = new(StringComparer.Ordinal);
}

[GrainType("pull-registry")]
public sealed class PullRegistryGrain(
    [PersistentState("pull-registry", StorageNames.Main)] IPersistentState<PullRegistryState> state) : Grain, IPullRegistryGrain
{
    private string[]? snapshot;

    public async Task Add(string sourceKey)
    {
        if (state.State.Sources.Add(sourceKey))
        {
            snapshot = null;
            await state.WriteStateAsync();
        }
    }

    public async Task Remove(string sourceKey)
    {
        if (state.State.Sources.Remove(sourceKey))
        {
            snapshot = null;
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyCollection<string>> GetPulledSources() =>
        Task.FromResult<IReadOnlyCollection<string>>(snapshot ??= [.. state.State.Sources]);
}
