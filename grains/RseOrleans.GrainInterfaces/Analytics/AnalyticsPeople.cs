namespace RseOrleans.Model;

/// <summary>Where a person works now, as their profile says, for the breakdowns and the places not joined.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.PersonPlace")]
public sealed record PersonPlace(
    [property: Id(0)] int Person,
    [property: Id(1)] string Department,
    [property: Id(2)] string Location,
    [property: Id(3)] string Region)
{
    public static PersonPlace Of(int person, UserProfile profile) =>
        new(person, profile.Department, profile.Location, RegionOf(profile.TimeZone));

    /// <summary>The first part of an IANA zone: "Europe/Paris" is in "Europe"; "" when no zone is set.</summary>
    public static string RegionOf(string? timeZone) =>
        string.IsNullOrEmpty(timeZone) ? "" : timeZone.Split('/')[0];
}

/// <summary>What one flush learnt about people: who acted (activation), where people work now, who was erased.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.PeopleChanges")]
public sealed record PeopleChanges(
    [property: Id(0)] IReadOnlyList<int> Acted,
    [property: Id(1)] IReadOnlyList<PersonPlace> Places,
    [property: Id(2)] IReadOnlyList<string> Erased)
{
    public bool IsEmpty => Acted.Count == 0 && Places.Count == 0 && Erased.Count == 0;
}

/// <summary>People's numbers, in the order asked, and the user ids among them whose places were never set.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.MetPeople")]
public sealed record MetPeople(
    [property: Id(0)] int[] Numbers,
    [property: Id(1)] IReadOnlyList<string> WithoutPlaces);

/// <summary>One attribute of every person (department, location or region) as small codes: code 0 is "" (not known).</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.PlaceValues")]
public sealed record PlaceValues(
    [property: Id(0)] IReadOnlyList<string> Values,
    [property: Id(1)] int[] Codes)
{
    /// <summary>The person's code; 0 for a person whose profile was never read, or who was erased.</summary>
    public int CodeOf(int person) => person < Codes.Length ? Codes[person] : 0;
}

/// <summary>Every numbered person's department, location and time-zone region, by number: what the network's breakdowns need, in one answer.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.PeoplePlaces")]
public sealed record PeoplePlaces(
    [property: Id(0)] PlaceValues Departments,
    [property: Id(1)] PlaceValues Locations,
    [property: Id(2)] PlaceValues Regions);
