namespace RseOrleans.Grains.PersonalData;

[GenerateSerializer]
[Alias("rse.ContentDirectoryState")]
public sealed class ContentDirectoryState
{
    [Id(0)]
    public SortedSet<int> Periods { get; set; } = [];

    [Id(1)]
    public bool Sealed { get; set; }
}

/// <summary>The periods of a user's content index: a few numbers a year. Calls nothing.</summary>
[GrainType("content-directory")]
public sealed class ContentDirectoryGrain(
    [PersistentState("content-directory", StorageNames.Main)] IPersistentState<ContentDirectoryState> state) : Grain, IContentDirectoryGrain
{
    public async Task NotePeriod(int period)
    {
        if (state.State.Sealed)
        {
            throw DomainException.Denied($"The account '{this.GetPrimaryKeyString()}' was erased.");
        }

        if (state.State.Periods.Add(period))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<int>> GetPeriods() => Task.FromResult<IReadOnlyList<int>>([.. state.State.Periods]);

    public async Task<IReadOnlyList<int>> Seal()
    {
        if (!state.State.Sealed)
        {
            state.State.Sealed = true;
            await state.WriteStateAsync();
        }

        return [.. state.State.Periods];
    }

    public async Task Clear()
    {
        if (state.State.Periods.Count > 0)
        {
            state.State.Periods.Clear();
            await state.WriteStateAsync();
        }
    }
}
