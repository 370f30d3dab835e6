using Microsoft.Extensions.Logging;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Events;
using RseOrleans.Model;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// The fan-outs a source has acknowledged but may not have finished
/// (<see cref="SourceState.PendingFanout"/>), and finishing them: at the source's next activation
/// (after its silo died, or it left with a fan-out unfinished), or when another silo's
/// <see cref="FanoutRecoveryService"/> finds a pending mark in the activity log. A retried post
/// never resumes one: the API's request ledger answers it without reaching the source.
/// </summary>
/// <remarks>
/// A completed fan-out is cleared in memory and stored with the next write, at the latest when
/// the activation leaves, so that only a crash, never a routine reactivation, makes the next
/// activation deliver it again (harmlessly: deliveries are idempotent).
/// </remarks>
internal sealed class FanoutRecovery(
    IPersistentState<SourceState> state,
    SourceId source,
    SourceAudience audience,
    IActivityLog activityLog,
    ISourceKeeping keeping,
    IGrainFactory grains,
    ILogger logger)
{
    // Fan-outs completed since the state was last written.
    private bool completedSinceWrite;

    public bool AnyPending => state.State.PendingFanout.Count > 0;

    /// <summary>True when nothing is pending and nothing completed waits to be stored.</summary>
    public bool IsSettled => !AnyPending && !completedSinceWrite;

    public void Add(long postId) => state.State.PendingFanout.Add(postId);

    /// <summary>Called after every write of the state, which stored the completions.</summary>
    public void Stored() => completedSinceWrite = false;

    public async Task ResumeAsync(long postId)
    {
        if (source.Kind == SourceKind.Topic)
        {
            await ResumeTaggedAsync(postId);
            return;
        }

        if (!state.State.PendingFanout.Contains(postId))
        {
            // Finished already (the log's pending row outlived the confirmation, or waited for the
            // post's events): nothing to redo but waking the post, which sends what it still holds.
            await MarkCompletedAsync(postId);
            return;
        }

        if (await grains.GetGrain<IPostGrain>(postId).Get(viewerId: "") is { } post)
        {
            // Appending again is harmless: the log keeps each activity once.
            await activityLog.AppendAsync(SourcePublisher.Posted(post, source), fanoutPending: true);
            if (!state.State.Pulled)
            {
                // Complete even if a feed is still unreachable: an unreachable feed is one whose
                // silo died, and it reads the activity log when it reactivates.
                await audience.DeliverAsync(new FeedDelivery(source, postId), post.AuthorId);
            }
        }

        completedSinceWrite |= state.State.PendingFanout.Remove(postId);
        await MarkCompletedAsync(postId);
    }

    /// <summary>The mark goes once the post's events are settled too (<see cref="PostEventsSettling"/>).</summary>
    private async Task MarkCompletedAsync(long postId)
    {
        await grains.GetGrain<IPostGrain>(postId).EventsSettled();
        await activityLog.FanoutsCompletedAsync([postId]);
    }

    /// <summary>
    /// A topic's pending fan-outs are in its state only: the activity log's pending marks are keyed
    /// by post, and belong to the post's own source.
    /// </summary>
    private async Task ResumeTaggedAsync(long postId)
    {
        if (state.State.PendingFanout.Contains(postId) && !state.State.Pulled
            && await grains.GetGrain<IPostGrain>(postId).Get(viewerId: "") is { } post)
        {
            await audience.DeliverAsync(new FeedDelivery(source, postId), post.AuthorId);
        }

        completedSinceWrite |= state.State.PendingFanout.Remove(postId);
    }

    /// <summary>Completes a topic's fan-outs: nothing of them is in the activity log (see <see cref="ResumeTaggedAsync"/>).</summary>
    public void CompleteTagged(IReadOnlyCollection<long> postIds)
    {
        foreach (var postId in postIds)
        {
            completedSinceWrite |= state.State.PendingFanout.Remove(postId);
        }
    }

    /// <summary>Finishes what a previous activation left pending, then stores that it did.</summary>
    public async Task ResumeAllAsync()
    {
        foreach (var postId in state.State.PendingFanout.ToArray())
        {
            await ResumeAsync(postId);
        }

        await state.WriteStateAsync();
        Stored();
    }

    /// <summary>
    /// Completes fan-outs without holding up the authors' answers for the round trip that clears
    /// their pending marks in the activity log (one for a whole batch): the posts are durable and
    /// delivered already. Should that clearing fail, the marks stay, and the recovery finds the
    /// fan-outs complete here and clears them.
    /// </summary>
    public void CompleteOffTheAuthorsPath(IReadOnlyCollection<long> postIds)
    {
        foreach (var postId in postIds)
        {
            completedSinceWrite |= state.State.PendingFanout.Remove(postId);
        }

        keeping.FanoutsCompletedInBackground(postIds);
    }

    /// <summary>Stores completions as the activation leaves, unless that write would be lost or is not to be trusted.</summary>
    public async Task StoreOnDeactivationAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!completedSinceWrite || reason.ReasonCode == DeactivationReasonCode.ApplicationError || !keeping.OutlastsDeactivation(reason))
        {
            return;
        }

        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // Only costs a redundant (idempotent) delivery at the next activation.
            logger.LogWarning(ex, "Could not store the completed fan-outs of {Source} on deactivation", source.Key);
        }
    }
}
