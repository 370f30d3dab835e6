namespace RseOrleans.Storage.Analytics;

/// <summary>
/// The flush numbers a replay passed over: between two flushes it read one after the other, a
/// number it did not read was drawn by a flush not committed yet when its page was read (it may
/// commit later) or never committed (a failed flush). Flush numbers come from one sequence, so
/// these gaps are all a late flush can hide in below the last number read.
/// </summary>
internal sealed class SkippedFlushes
{
    /// <summary>The most recent gaps kept: older ones were passed over long before the replay ended, and settled since.</summary>
    private const int Kept = 10_000;

    private readonly Queue<(long After, long Before)> gaps = new();

    /// <summary>The highest flush number read (0 before any).</summary>
    public long Last { get; private set; }

    /// <summary>The numbers passed over, each gap between two numbers read (both excluded), lowest first.</summary>
    public IReadOnlyList<(long After, long Before)> Gaps => [.. gaps];

    /// <summary>Notes a page's flush numbers, read in order after <see cref="Last"/>; the gap before the first page is not one (pruned or older history).</summary>
    public void Read(IEnumerable<long> flushes)
    {
        foreach (var flush in flushes)
        {
            if (Last > 0 && flush > Last + 1)
            {
                gaps.Enqueue((Last, flush));
                if (gaps.Count > Kept)
                {
                    gaps.Dequeue();
                }
            }

            Last = Math.Max(Last, flush);
        }
    }
}
