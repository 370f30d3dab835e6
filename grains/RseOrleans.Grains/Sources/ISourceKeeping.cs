namespace RseOrleans.Grains.Sources;

/// <summary>
/// What a source keeps beyond its own window and state, chosen by what is registered at start-up
/// rather than tested by the grain: the embedded default (<see cref="EmbeddedSourceKeeping"/>)
/// keeps nothing past the process, durable mode (DurableSourceKeeping, registered with the
/// durable stores) keeps grain state and every post in PostgreSQL's activity log.
/// </summary>
public interface ISourceKeeping
{
    /// <summary>Whether state written as an activation leaves for <paramref name="reason"/> is there for the next activation.</summary>
    bool OutlastsDeactivation(DeactivationReason reason);

    /// <summary>
    /// Records that fan-outs completed, without holding up the caller (the authors waiting on a
    /// publish): a record that fails only leaves marks the recovery finds complete and clears.
    /// </summary>
    void FanoutsCompletedInBackground(IReadOnlyCollection<long> postIds);

    /// <summary>
    /// Completes a page read from a source's full window with up to <paramref name="count"/> posts
    /// older than <paramref name="before"/>, where the history goes further back than the window.
    /// </summary>
    ValueTask<IReadOnlyList<long>> OlderThanWindowAsync(string sourceKey, long[] page, long before, int count);
}

/// <summary>The embedded default: nothing outlives the process, so a source has only its window.</summary>
public sealed class EmbeddedSourceKeeping : ISourceKeeping
{
    /// <summary>At shutdown the memory storage ends with the process (and may already be gone).</summary>
    public bool OutlastsDeactivation(DeactivationReason reason) => reason.ReasonCode != DeactivationReasonCode.ShuttingDown;

    public void FanoutsCompletedInBackground(IReadOnlyCollection<long> postIds)
    {
    }

    public ValueTask<IReadOnlyList<long>> OlderThanWindowAsync(string sourceKey, long[] page, long before, int count) => new(page);
}
