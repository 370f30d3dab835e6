using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

/// <summary>
/// The people the statistics count, numbered once: day and post grains keep numbers, so a day is a
/// bitmap and a reach an integer set, and erasing a person here leaves no id anywhere in the
/// statistics. One grain rather than shards: a network's read needs every number's places in one
/// answer, and numbers must stay dense over the whole network for the day bitmaps; it is called at
/// most once a second per process, for the people that process had not numbered yet. Each call
/// stores the rows of the numbers it added or changed (<see cref="IAnalyticsPeopleStore"/>).
/// </summary>
[GrainType("analytics-people")]
public sealed class AnalyticsPeopleGrain(
    IAnalyticsPeopleStore store,
    [PersistentState("analytics-people", StorageNames.Main)] IPersistentState<AnalyticsPeopleState> wholeState) : Grain, IAnalyticsPeopleGrain
{
    private readonly Dictionary<string, int> numberOf = new(StringComparer.Ordinal);

    private AnalyticsPeopleState people = new();

    // Made once per change of a place rather than once per read: every GetNetworkStats with breakdowns reads it.
    private PeoplePlaces? places;

    // The numbers whose rows changed since the last write that succeeded: a failed write's rows
    // (numbers answered to no one, since its call failed) go with the next call, unless the
    // storage failure filter drops the activation and the next one reloads what was stored.
    private readonly SortedSet<int> unsaved = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var rows = await store.LoadAsync();
        if (wholeState.State.Ids.Count > 0)
        {
            // Stored whole by an earlier version: carried over to rows once, then cleared (left
            // there, it would keep the id of everyone erased from now on).
            if (rows.Count == 0)
            {
                rows = wholeState.State.Rows();
                await store.WriteAsync(rows);
            }

            await wholeState.ClearStateAsync(cancellationToken);
        }

        people = AnalyticsPeopleState.FromRows(rows);
        for (var number = 0; number < people.Ids.Count; number++)
        {
            if (people.Ids[number] is { } userId)
            {
                numberOf[userId] = number;
            }
        }
    }

    public async Task<MetPeople> Meet(IReadOnlyList<string> userIds)
    {
        var numbers = await Number(userIds);
        var withoutPlaces = userIds.Where((_, i) => !PersonBits.Contains(people.Placed, numbers[i])).Distinct(StringComparer.Ordinal).ToList();
        return new MetPeople(numbers, withoutPlaces);
    }

    public async Task<int[]> Number(IReadOnlyList<string> userIds)
    {
        var given = new int[userIds.Count];
        for (var i = 0; i < userIds.Count; i++)
        {
            if (!numberOf.TryGetValue(userIds[i], out given[i]))
            {
                given[i] = numberOf[userIds[i]] = people.Ids.Count;
                people.Ids.Add(userIds[i]);
                unsaved.Add(given[i]);
            }
        }

        await SaveAsync();
        return given;
    }

    public async Task Record(PeopleChanges changes)
    {
        var placesChanged = false;
        var placed = new List<int>();
        foreach (var place in changes.Places.Where(p => p.Person < people.Ids.Count && people.Ids[p.Person] is not null))
        {
            // Not short-circuited: each of the three is set.
            if (people.Departments.Set(place.Person, place.Department) | people.Locations.Set(place.Person, place.Location) | people.Regions.Set(place.Person, place.Region))
            {
                placesChanged = true;
                unsaved.Add(place.Person);
            }

            if (!PersonBits.Contains(people.Placed, place.Person))
            {
                placed.Add(place.Person);
            }
        }

        if (placed.Count > 0)
        {
            people.Placed = PersonBits.With(people.Placed, placed);
            unsaved.UnionWith(placed);
        }

        foreach (var userId in changes.Erased)
        {
            if (numberOf.Remove(userId, out var person))
            {
                // The row stays, without the id and its places: the number is never given again.
                people.Ids[person] = null;
                placesChanged |= people.Departments.Set(person, "") | people.Locations.Set(person, "") | people.Regions.Set(person, "");
                unsaved.Add(person);
            }
        }

        var acted = changes.Acted.Where(person => person < people.Ids.Count && !PersonBits.Contains(people.Activated, person)).ToArray();
        if (acted.Length > 0)
        {
            people.Activated = PersonBits.With(people.Activated, acted);
            unsaved.UnionWith(acted);
        }

        if (placesChanged)
        {
            places = null;
        }

        await SaveAsync();
    }

    /// <summary>Writes the rows changed since the last write that succeeded, if any; they stay to be written while it fails.</summary>
    private async Task SaveAsync()
    {
        if (unsaved.Count == 0)
        {
            return;
        }

        await store.WriteAsync([.. unsaved.Select(people.Row)]);
        unsaved.Clear();
    }

    public Task<PeoplePlaces> GetPlaces() => Task.FromResult(places ??= new PeoplePlaces(
        people.Departments.Snapshot(), people.Locations.Snapshot(), people.Regions.Snapshot()));

    public Task<AccountFigures> GetFigures() =>
        Task.FromResult(new AccountFigures(people.Ids.Count, PersonBits.Count(people.Activated)));

    public Task<string?[]> GetIds(IReadOnlyList<int> numbers) =>
        Task.FromResult(numbers.Select(n => n >= 0 && n < people.Ids.Count ? people.Ids[n] : null).ToArray());
}
