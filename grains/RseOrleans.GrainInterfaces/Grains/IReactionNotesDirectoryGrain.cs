namespace RseOrleans.Grains;

/// <summary>
/// The periods that have reaction notes in one bucket, and the erased users of that bucket. Key:
/// the bucket (<see cref="ReactionNotes.BucketOf"/>). A notes grain lists its period here before
/// its first note and takes the erased users from here, so sealing a user here and then in every
/// period listed leaves no notes grain that would accept a note of theirs.
/// </summary>
public interface IReactionNotesDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Records a period; returns the bucket's erased users, whose notes it must refuse.</summary>
    Task<IReadOnlyCollection<string>> NotePeriod(int period);

    [AlwaysInterleave]
    Task<IReadOnlyList<int>> GetPeriods();

    /// <summary>Records the user as erased (durably); returns the periods listed so far.</summary>
    Task<IReadOnlyList<int>> Seal(string userId);
}
