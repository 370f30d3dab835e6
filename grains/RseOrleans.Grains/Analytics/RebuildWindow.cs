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
    /// <summary>Whether <paramref name="batch"/> is to be counted, remembering its flush in a window.</summary>
    public static bool Admits(HashSet<long>? counted, ActivityBatch batch) => counted is null || batch.Flush == 0 || counted.Add(batch.Flush);
}
