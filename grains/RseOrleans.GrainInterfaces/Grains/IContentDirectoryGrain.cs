namespace RseOrleans.Grains;

/// <summary>
/// The periods in which a user's content index has entries. Key: the user id. A period notes
/// itself here before its first entry, so sealing the directory and then every period it names
/// leaves no index a new entry could go to.
/// </summary>
public interface IContentDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Records a period; refused once sealed.</summary>
    Task NotePeriod(int period);

    [AlwaysInterleave]
    Task<IReadOnlyList<int>> GetPeriods();

    /// <summary>Refuses new periods from now on; returns the known ones.</summary>
    Task<IReadOnlyList<int>> Seal();

    /// <summary>Forgets the periods, once each of them is cleared; stays sealed.</summary>
    Task Clear();
}
