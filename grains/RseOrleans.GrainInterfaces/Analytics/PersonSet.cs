namespace RseOrleans.Model;

/// <summary>
/// A small set of people as bytes: their numbers (<see cref="IAnalyticsPeopleGrain"/>) lowest
/// first, each written as the gap from the one before in 7-bit groups (a byte's high bit says
/// another byte follows). For the few hundred people a post reaches out of a network's thousands,
/// the gaps take one or two bytes a person, where a set of integers takes four or five, and a
/// bitmap (<see cref="PersonBits"/>) one bit per person of the whole network. A set is never
/// changed once made: <see cref="With"/> returns a new one.
/// </summary>
public static class PersonSet
{
    /// <summary>How many people: every number ends with a byte whose high bit is clear.</summary>
    public static int Count(byte[] set)
    {
        var count = 0;
        foreach (var b in set)
        {
            count += b < 0x80 ? 1 : 0;
        }

        return count;
    }

    public static IEnumerable<int> Members(byte[] set)
    {
        var previous = -1;
        var gap = 0;
        var shift = 0;
        foreach (var b in set)
        {
            gap |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                previous += gap + 1;
                yield return previous;
                gap = 0;
                shift = 0;
            }
            else
            {
                shift += 7;
            }
        }
    }

    /// <summary>The set with <paramref name="people"/> added; the same array when none is new.</summary>
    public static byte[] With(byte[] set, IEnumerable<int> people)
    {
        var members = new SortedSet<int>(Members(set));
        var before = members.Count;
        members.UnionWith(people.Where(person => person >= 0));
        if (members.Count == before)
        {
            return set;
        }

        var bytes = new List<byte>(set.Length + ((members.Count - before) * 2));
        var previous = -1;
        foreach (var person in members)
        {
            // Gaps start at 0 for consecutive numbers, so that the first number (from -1) and every gap fit the same code.
            for (var gap = (uint)(person - previous - 1); ; gap >>= 7)
            {
                if (gap < 0x80)
                {
                    bytes.Add((byte)gap);
                    break;
                }

                bytes.Add((byte)(0x80 | (gap & 0x7F)));
            }

            previous = person;
        }

        return [.. bytes];
    }
}
