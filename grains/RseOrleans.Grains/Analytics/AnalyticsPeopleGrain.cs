using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

[GenerateSerializer]
[Alias("rse.analytics.AnalyticsPeopleState")]
public sealed class AnalyticsPeopleState
{
    /// <summary>Each number's user id (the number is the index); null once erased, and the number is never given again.</summary>
    [Id(0)]
    public List<string?> Ids { get; set; } = [];

    [Id(1)]
    public PlaceColumn Departments { get; set; } = new();

    [Id(2)]
    public PlaceColumn Locations { get; set; } = new();

    /// <summary>Time-zone regions: the first part of the profile's IANA zone.</summary>
    [Id(3)]
    public PlaceColumn Regions { get; set; } = new();

    /// <summary>The people who ever acted (activation), as a bitmap over numbers.</summary>
    [Id(4)]
    public byte[] Activated { get; set; } = [];

    /// <summary>The people whose places were set from their profile, as a bitmap over numbers; the others are read once when met.</summary>
    [Id(5)]
    public byte[] Placed { get; set; } = [];
}

/// <summary>
/// The people the statistics count, numbered once: day and post grains keep numbers, so a day is a
/// bitmap and a reach an integer set, and erasing a person here leaves no id anywhere in the
/// statistics. One grain rather than shards: a network's read needs every number's places in one
/// answer, and numbers must stay dense over the whole network for the day bitmaps; it is called at
/// most once a second per process, for the people that process had not numbered yet.
/// </summary>
[GrainType("analytics-people")]
public sealed class AnalyticsPeopleGrain(
    [PersistentState("analytics-people", StorageNames.Main)] IPersistentState<AnalyticsPeopleState> state) : Grain, IAnalyticsPeopleGrain
{
    private readonly Dictionary<string, int> numberOf = new(StringComparer.Ordinal);

    // Made once per change of a place rather than once per read: every GetNetworkStats with breakdowns reads it.
    private PeoplePlaces? places;

    // A write failed: what it held (numbers already answered to no one, since the call failed) goes with the next call.
    private bool unsaved;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        for (var number = 0; number < state.State.Ids.Count; number++)
        {
            if (state.State.Ids[number] is { } userId)
            {
                numberOf[userId] = number;
            }
        }

        return Task.CompletedTask;
    }

    public async Task<MetPeople> Meet(IReadOnlyList<string> userIds)
    {
        var numbers = await Number(userIds);
        var withoutPlaces = userIds.Where((_, i) => !PersonBits.Contains(state.State.Placed, numbers[i])).Distinct(StringComparer.Ordinal).ToList();
        return new MetPeople(numbers, withoutPlaces);
    }

    public async Task<int[]> Number(IReadOnlyList<string> userIds)
    {
        var given = new int[userIds.Count];
        var added = false;
        for (var i = 0; i < userIds.Count; i++)
        {
            if (!numberOf.TryGetValue(userIds[i], out given[i]))
            {
                given[i] = numberOf[userIds[i]] = state.State.Ids.Count;
                state.State.Ids.Add(userIds[i]);
                added = true;
            }
        }

        if (added || unsaved)
        {
            await SaveAsync();
        }

        return given;
    }

    public async Task Record(PeopleChanges changes)
    {
        var people = state.State;
        var placesChanged = false;
        var placed = new List<int>();
        foreach (var place in changes.Places.Where(p => p.Person < people.Ids.Count && people.Ids[p.Person] is not null))
        {
            placesChanged |= people.Departments.Set(place.Person, place.Department);
            placesChanged |= people.Locations.Set(place.Person, place.Location);
            placesChanged |= people.Regions.Set(place.Person, place.Region);
            if (!PersonBits.Contains(people.Placed, place.Person))
            {
                placed.Add(place.Person);
            }
        }

        if (placed.Count > 0)
        {
            people.Placed = PersonBits.With(people.Placed, placed);
        }

        var erased = false;
        foreach (var userId in changes.Erased)
        {
            if (numberOf.Remove(userId, out var person))
            {
                people.Ids[person] = null;
                placesChanged |= people.Departments.Set(person, "") | people.Locations.Set(person, "") | people.Regions.Set(person, "");
                erased = true;
            }
        }

        var acted = changes.Acted.Where(person => !PersonBits.Contains(people.Activated, person)).ToArray();
        if (acted.Length > 0)
        {
            people.Activated = PersonBits.With(people.Activated, acted);
        }

        if (placesChanged)
        {
            places = null;
        }

        if (placesChanged || placed.Count > 0 || erased || acted.Length > 0 || unsaved)
        {
            await SaveAsync();
        }
    }

    private async Task SaveAsync()
    {
        unsaved = true;
        await state.WriteStateAsync();
        unsaved = false;
    }

    public Task<PeoplePlaces> GetPlaces() => Task.FromResult(places ??= new PeoplePlaces(
        state.State.Departments.Snapshot(), state.State.Locations.Snapshot(), state.State.Regions.Snapshot()));

    public Task<AccountFigures> GetFigures() =>
        Task.FromResult(new AccountFigures(state.State.Ids.Count, PersonBits.Count(state.State.Activated)));

    public Task<string?[]> GetIds(IReadOnlyList<int> numbers) =>
        Task.FromResult(numbers.Select(n => n >= 0 && n < state.State.Ids.Count ? state.State.Ids[n] : null).ToArray());
}
