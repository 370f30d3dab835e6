using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

/// <summary>
/// One attribute of every numbered person (a department, a location or a region) as a small code
/// into a table of the values met: 100,000 people in a few hundred kilobytes, counted per value
/// without a string per person.
/// </summary>
[GenerateSerializer]
[Alias("rse.analytics.PlaceColumn")]
public sealed class PlaceColumn
{
    /// <summary>The values met, by code; code 0 is "" (not known). A value stays once met: it names no one.</summary>
    [Id(0)]
    public List<string> Values { get; set; } = [""];

    /// <summary>Each number's code; shorter than the numbers given when the last ones were never placed (code 0).</summary>
    [Id(1)]
    public List<int> Codes { get; set; } = [];

    [NonSerialized]
    private Dictionary<string, int>? codeOf;

    /// <summary>Sets the person's value; false when it was already that.</summary>
    public bool Set(int person, string value)
    {
        codeOf ??= Values.Select((v, code) => (v, code)).ToDictionary(pair => pair.v, pair => pair.code, StringComparer.Ordinal);
        if (!codeOf.TryGetValue(value, out var code))
        {
            codeOf[value] = code = Values.Count;
            Values.Add(value);
        }

        while (Codes.Count <= person)
        {
            Codes.Add(0);
        }

        var changed = Codes[person] != code;
        Codes[person] = code;
        return changed;
    }

    /// <summary>The person's value; "" when not known.</summary>
    public string ValueOf(int person) => person < Codes.Count ? Values[Codes[person]] : "";

    public PlaceValues Snapshot() => new([.. Values], [.. Codes]);
}
