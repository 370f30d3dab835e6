using System.Numerics;
using System.Runtime.InteropServices;

namespace RseOrleans.Model;

/// <summary>
/// A set of people as a bitmap over their numbers (<see cref="IAnalyticsPeopleGrain"/>): bit n of
/// the 64-bit word n / 64 is person n. Kept as bytes, a whole number of words, so that Orleans
/// stores it as one blob (12.5 KB for 100,000 people); read as words. A set is never changed once
/// made: <see cref="With"/> returns a new one, so a day handed to a reader stays as it was.
/// </summary>
public static class PersonBits
{
    public static ReadOnlySpan<ulong> Words(byte[] bits) => MemoryMarshal.Cast<byte, ulong>(bits);

    /// <summary>A copy of <paramref name="bits"/> with <paramref name="people"/> added, as long as the highest number needs.</summary>
    public static byte[] With(byte[] bits, IEnumerable<int> people)
    {
        var added = people as IReadOnlyCollection<int> ?? [.. people];
        var words = Math.Max(bits.Length / sizeof(ulong), added.Count == 0 ? 0 : (added.Max() / 64) + 1);
        var copy = new byte[words * sizeof(ulong)];
        bits.CopyTo(copy, 0);
        var target = MemoryMarshal.Cast<byte, ulong>(copy.AsSpan());
        foreach (var person in added)
        {
            target[person >> 6] |= 1UL << (person & 63);
        }

        return copy;
    }

    public static bool Contains(byte[] bits, int person) => Contains(Words(bits), person);

    public static bool Contains(ReadOnlySpan<ulong> words, int person) =>
        person >> 6 < words.Length && (words[person >> 6] & (1UL << (person & 63))) != 0;

    public static int Count(byte[] bits) => Count(Words(bits));

    public static int Count(ReadOnlySpan<ulong> words)
    {
        var count = 0;
        foreach (var word in words)
        {
            count += BitOperations.PopCount(word);
        }

        return count;
    }

    /// <summary>Everyone in any of the sets.</summary>
    public static ulong[] Union(IEnumerable<byte[]> sets)
    {
        var all = sets as IReadOnlyCollection<byte[]> ?? [.. sets];
        var union = new ulong[all.Count == 0 ? 0 : all.Max(set => set.Length) / sizeof(ulong)];
        foreach (var set in all)
        {
            var words = Words(set);
            for (var w = 0; w < words.Length; w++)
            {
                union[w] |= words[w];
            }
        }

        return union;
    }

    /// <summary>The numbers in the set, lowest first.</summary>
    public static IEnumerable<int> Members(ulong[] words)
    {
        for (var w = 0; w < words.Length; w++)
        {
            for (var word = words[w]; word != 0; word &= word - 1)
            {
                yield return (w << 6) + BitOperations.TrailingZeroCount(word);
            }
        }
    }
}
