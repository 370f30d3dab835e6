using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

/// <summary>
/// The people <see cref="AnalyticsPeopleGrain"/> numbered, in memory, made from the rows of
/// <see cref="IAnalyticsPeopleStore"/> and giving them back. Earlier versions stored it whole as
/// the grain's state; that state is read once, to carry it over to the rows.
/// </summary>
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

    public PersonRow Row(int number) => new(
        number,
        Ids[number],
        Departments.ValueOf(number),
        Locations.ValueOf(number),
        Regions.ValueOf(number),
        PersonBits.Contains(Activated, number),
        PersonBits.Contains(Placed, number));

    public IReadOnlyList<PersonRow> Rows() => [.. Enumerable.Range(0, Ids.Count).Select(Row)];

    /// <summary>
    /// The people of <paramref name="rows"/>. A number with no row (a write that stopped part way)
    /// stays without an id: it may have been answered, so it is never given again.
    /// </summary>
    public static AnalyticsPeopleState FromRows(IEnumerable<PersonRow> rows)
    {
        var people = new AnalyticsPeopleState();
        var activated = new List<int>();
        var placed = new List<int>();
        foreach (var row in rows.OrderBy(row => row.Number))
        {
            while (people.Ids.Count < row.Number)
            {
                people.Ids.Add(null);
            }

            people.Ids.Add(row.UserId);
            people.Departments.Set(row.Number, row.Department);
            people.Locations.Set(row.Number, row.Location);
            people.Regions.Set(row.Number, row.Region);
            if (row.Activated)
            {
                activated.Add(row.Number);
            }

            if (row.Placed)
            {
                placed.Add(row.Number);
            }
        }

        people.Activated = PersonBits.With([], activated);
        people.Placed = PersonBits.With([], placed);
        return people;
    }
}
