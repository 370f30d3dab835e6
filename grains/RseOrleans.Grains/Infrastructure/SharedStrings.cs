using System.Collections.Concurrent;

namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// One instance per distinct value on the silo for the strings that many grains hold: source keys
/// (an executive's 50,000 followers each hold theirs in their timeline), followed user ids, and the
/// profile values colleagues have in common (title, department, location, time zone, language,
/// skills). Each grain reads its own copies from storage; without sharing, a user following 200
/// colleagues holds 200 id strings the silo already has.
/// </summary>
/// <remarks>
/// Values are never released, so the table is bounded: past <see cref="MaxValues"/> values, or for
/// a value longer than <see cref="MaxLength"/>, the string is kept as it is. Sharing only saves
/// memory; nothing depends on it.
/// </remarks>
public sealed class SharedStrings
{
    public const int MaxValues = 1 << 20;
    public const int MaxLength = 200;

    private readonly ConcurrentDictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly int maxValues;
    private int count;

    public SharedStrings()
        : this(MaxValues)
    {
    }

    internal SharedStrings(int maxValues) => this.maxValues = maxValues;

    public string Share(string value)
    {
        if (values.TryGetValue(value, out var shared))
        {
            return shared;
        }

        if (value.Length > MaxLength || Volatile.Read(ref count) >= maxValues)
        {
            return value;
        }

        shared = values.GetOrAdd(value, value);
        if (ReferenceEquals(shared, value))
        {
            Interlocked.Increment(ref count);
        }

        return shared;
    }

    public IReadOnlyList<string> Share(IReadOnlyList<string> values)
    {
        var shared = new string[values.Count];
        for (var i = 0; i < shared.Length; i++)
        {
            shared[i] = Share(values[i]);
        }

        return shared;
    }
}
