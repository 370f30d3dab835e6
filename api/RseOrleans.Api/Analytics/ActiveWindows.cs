using System.Numerics;
using RseOrleans.Model;

namespace RseOrleans.Api.Analytics;

/// <summary>
/// Weekly and 28-day active people, and engaged people (active on at least 10 of the 28 days),
/// for each day, from the days' bitmaps of active people. Each person's count of active days in
/// the 7- and the 28-day window is kept bit-sliced: slice j holds bit j of every person's count,
/// 64 people to a word, so adding a day and taking out the day that leaves the window are a few
/// word operations per 64 people, however many were active. A count above zero is an active
/// person of the window; a 28-day count of 10 or more an engaged one. Exact.
/// </summary>
public static class ActiveWindows
{
    public const int Week = 7;
    public const int Month = 28;
    public const int EngagedDays = 10;

    /// <summary>
    /// The series for the days from the 28th on (the first day whose window is whole): the result's
    /// index 0 is <paramref name="days"/>' index 27.
    /// </summary>
    public static (long[] Weekly, long[] Monthly, long[] Engaged) Count(IReadOnlyList<byte[]> days)
    {
        var shown = Math.Max(0, days.Count - (Month - 1));
        var words = days.Count == 0 ? 0 : days.Max(day => day.Length) / sizeof(ulong);
        var week = Slices(3, words); // counts 0-7
        var month = Slices(5, words); // counts 0-28
        var (weekly, monthly, engaged) = (new long[shown], new long[shown], new long[shown]);
        for (var i = 0; i < days.Count; i++)
        {
            var today = PersonBits.Words(days[i]);
            var weekGone = i >= Week ? PersonBits.Words(days[i - Week]) : default;
            var monthGone = i >= Month ? PersonBits.Words(days[i - Month]) : default;
            var at = i - (Month - 1);
            for (var w = 0; w < words; w++)
            {
                var came = WordAt(today, w);
                Add(week, w, came);
                Subtract(week, w, WordAt(weekGone, w));
                Add(month, w, came);
                Subtract(month, w, WordAt(monthGone, w));
                if (at >= 0)
                {
                    weekly[at] += BitOperations.PopCount(week[0][w] | week[1][w] | week[2][w]);
                    monthly[at] += BitOperations.PopCount(month[0][w] | month[1][w] | month[2][w] | month[3][w] | month[4][w]);
                    // 10 or more of 28 (5 bits, 01010): 16 or more, or 8 or more with 2 or more besides.
                    engaged[at] += BitOperations.PopCount(month[4][w] | (month[3][w] & (month[2][w] | month[1][w])));
                }
            }
        }

        return (weekly, monthly, engaged);
    }

    private static ulong[][] Slices(int bits, int words) => [.. Enumerable.Range(0, bits).Select(_ => new ulong[words])];

    private static ulong WordAt(ReadOnlySpan<ulong> words, int w) => w < words.Length ? words[w] : 0;

    /// <summary>Adds one to the count of each person whose bit is set in <paramref name="ones"/>.</summary>
    private static void Add(ulong[][] slices, int w, ulong ones)
    {
        for (var j = 0; j < slices.Length && ones != 0; j++)
        {
            var carry = slices[j][w] & ones;
            slices[j][w] ^= ones;
            ones = carry;
        }
    }

    /// <summary>Takes one from the count of each person whose bit is set (a day added before, so no count goes below zero).</summary>
    private static void Subtract(ulong[][] slices, int w, ulong ones)
    {
        for (var j = 0; j < slices.Length && ones != 0; j++)
        {
            var borrow = ~slices[j][w] & ones;
            slices[j][w] ^= ones;
            ones = borrow;
        }
    }
}
