namespace RseOrleans.Grains.Reactions;

[GenerateSerializer]
[Alias("rse.ReactionNotesDirectoryState")]
public sealed class ReactionNotesDirectoryState
{
    [Id(0)]
    public SortedSet<int> Periods { get; set; } = [];

    /// <summary>
    /// Every erased user of the bucket, for good: a notes grain of a period that has no notes yet
    /// copies them when it lists itself, so a late reaction of theirs is refused there too.
    /// </summary>
    [Id(1)]
    public HashSet<string> Erased { get; set; } = [];
}

/// <summary>
/// The periods and erased users of one bucket of reaction notes. Not reentrant: a period listed
/// and a user sealed never interleave, which is what makes a seal reach every notes grain. Writes
/// a few times a year per bucket, and once per erased user; calls nothing.
/// </summary>
[GrainType("reaction-notes-directory")]
public sealed class ReactionNotesDirectoryGrain(
    [PersistentState("reaction-notes-directory", StorageNames.Main)] IPersistentState<ReactionNotesDirectoryState> state) : Grain, IReactionNotesDirectoryGrain
{
    public async Task<IReadOnlyCollection<string>> NotePeriod(int period)
    {
        if (state.State.Periods.Add(period))
        {
            await state.WriteStateAsync();
        }

        return [.. state.State.Erased];
    }

    public Task<IReadOnlyList<int>> GetPeriods() => Task.FromResult<IReadOnlyList<int>>([.. state.State.Periods]);

    public async Task<IReadOnlyList<int>> Seal(string userId)
    {
        if (state.State.Erased.Add(userId))
        {
            await state.WriteStateAsync();
        }

        return [.. state.State.Periods];
    }
}
