using RseOrleans.Model;

namespace RseOrleans.Grains.Analytics;

/// <summary>
/// What a figures grain remembers while a rebuild recomputes it (from its <c>Reset</c> to its
/// <c>EndRebuild</c>): the journal flushes it counted, so that a flush journaled before the reset
/// is counted once whether its live batch or the replay comes first. Null outside a rebuild: a
/// grain then counts every batch and remembers nothing.
/// </summary>
internal static class RebuildWindow
{
    /// <summary>What to do with <paramref name="batch"/>; its flushes are remembered when it is to be counted within a window.</summary>
    public static Admission Admit(HashSet<long>? counted, ActivityBatch batch)
    {
        if (counted is null || batch.Flushes.Count == 0)
        {
            return Admission.Count;
        }

        var known = batch.Flushes.Count(counted.Contains);
        if (known == batch.Flushes.Count)
        {
            return Admission.Counted;
        }

        if (known > 0)
        {
            // Its figures are summed over its flushes: the ones not counted yet cannot be taken out.
            return Admission.Split;
        }

        counted.UnionWith(batch.Flushes);
        return Admission.Count;
    }
}

internal enum Admission
{
    /// <summary>Count it.</summary>
    Count,

    /// <summary>Every flush in it was counted already: nothing to do.</summary>
    Counted,

    /// <summary>Some of its flushes were counted already: refuse it, its sender sends them one by one.</summary>
    Split,
}
