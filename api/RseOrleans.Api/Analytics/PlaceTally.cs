using RseOrleans.Model;

namespace RseOrleans.Api.Analytics;

/// <summary>
/// One attribute (department, location or time-zone region) over a range, per value code: the
/// people active, the contributors among them, and the accounts that have the value now. Made from
/// the range's bitmaps and the people's codes, with no profile read.
/// </summary>
public sealed class PlaceTally
{
    private PlaceTally(IReadOnlyList<string> values)
    {
        Values = values;
        Active = new long[values.Count];
        Contributors = new long[values.Count];
        Accounts = new long[values.Count];
    }

    /// <summary>The values by code; code 0 is "" (profile not read, or erased).</summary>
    public IReadOnlyList<string> Values { get; }

    public long[] Active { get; }

    public long[] Contributors { get; }

    public long[] Accounts { get; }

    public static PlaceTally Of(PlaceValues place, ulong[] active, ulong[] contributors)
    {
        var tally = new PlaceTally(place.Values);
        foreach (var person in PersonBits.Members(active))
        {
            var code = place.CodeOf(person);
            tally.Active[code]++;
            if (PersonBits.Contains(contributors, person))
            {
                tally.Contributors[code]++;
            }
        }

        foreach (var code in place.Codes)
        {
            tally.Accounts[code]++;
        }

        return tally;
    }
}
