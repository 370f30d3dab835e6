using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

[GenerateSerializer]
[Alias("rse.analytics.AccountPlacesState")]
public sealed class AccountPlacesState
{
    /// <summary>Each account's department and location, as its profile last said.</summary>
    [Id(0)]
    public Dictionary<string, AccountPlace> Places { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Accounts per department and office, so that the network's statistics see who has not joined.</summary>
[GrainType("analytics-account-places")]
public sealed class AccountPlacesGrain(
    [PersistentState("analytics-account-places", StorageNames.Main)] IPersistentState<AccountPlacesState> state) : Grain, IAccountPlacesGrain
{
    // Counted once per change rather than once per read: every GetNetworkStats reads them.
    private PlaceCounts? counts;

    public async Task Record(IReadOnlyList<AccountPlace> places)
    {
        var changed = false;
        foreach (var place in places)
        {
            changed |= state.State.Places.GetValueOrDefault(place.UserId) != place;
            state.State.Places[place.UserId] = place;
        }

        if (changed)
        {
            counts = null;
            await state.WriteStateAsync();
        }
    }

    public async Task Forget(IReadOnlyList<string> userIds)
    {
        var removed = userIds.Count(state.State.Places.Remove);
        if (removed > 0)
        {
            counts = null;
            await state.WriteStateAsync();
        }
    }

    public Task<PlaceCounts> GetCounts() => Task.FromResult(counts ??= new PlaceCounts(
        CountBy(place => place.Department),
        CountBy(place => place.Location)));

    private Dictionary<string, long> CountBy(Func<AccountPlace, string> valueOf) =>
        state.State.Places.Values
            .Select(valueOf)
            .Where(value => value.Length > 0)
            .GroupBy(value => value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
}
