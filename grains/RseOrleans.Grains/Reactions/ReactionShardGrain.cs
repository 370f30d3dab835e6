using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RseOrleans.Grains.Events;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>
/// One shard of a post's reactions. Reentrant, and committing in groups: reactions that arrive
/// while a write is in flight are applied in memory at once and made durable together by the next
/// write. Every caller is answered only after the write that holds its change, and after the post
/// has the new totals, so an acknowledged reaction is durable and counted, without one storage
/// write per reaction.
/// </summary>
/// <remarks>
/// Its parts: <see cref="ShardReactors"/> holds who reacted with what (the counts and each user's
/// own reactions), <see cref="ReactionNoting"/> holds a user's changes back until erasure can find
/// them, <see cref="RecentChanges"/> stores each commit's changes without rewriting the
/// reactors, and <see cref="ReactionOutbox"/> hands on the <c>reaction.added</c> events those
/// changes hold. A commit notes, then writes, then reports the counts to the post.
/// </remarks>
[Reentrant]
[GrainType("reaction-shard")]
public sealed class ReactionShardGrain(
    [PersistentState("reactions", StorageNames.Main)] IPersistentState<ReactionShardState> state,
    [PersistentState("reactions-recent-0", StorageNames.Main)] IPersistentState<RecentReactionChangesState> recent0,
    [PersistentState("reactions-recent-1", StorageNames.Main)] IPersistentState<RecentReactionChangesState> recent1,
    [PersistentState("reactions-recent-2", StorageNames.Main)] IPersistentState<RecentReactionChangesState> recent2,
    [PersistentState("reactions-recent-3", StorageNames.Main)] IPersistentState<RecentReactionChangesState> recent3,
    IOptions<ReactionOptions> options,
    EngineEvents engineEvents,
    TimeProvider clock) : Grain, IReactionShardGrain, IRemindable
{
    private ShardReactors reactors = null!;
    private RecentChanges recent = null!;
    private ReactionNoting noting = null!;
    private ReactionNotifying? notifying;
    private ReactionOutbox outbox = null!;
    private GroupCommit<IReadOnlyDictionary<ReactionType, int>> commits = null!;
    private long postId;
    private int shard;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString().Split('/');
        postId = long.Parse(key[0], CultureInfo.InvariantCulture);
        shard = int.Parse(key[1], CultureInfo.InvariantCulture);
        reactors = new ShardReactors(state);
        outbox = new ReactionOutbox(this, engineEvents, GrainFactory, postId, clock);
        recent = new RecentChanges(state, [recent0, recent1, recent2, recent3], outbox); // RecentChanges.Slots of them
        noting = new ReactionNoting(GrainFactory, new ReactionRef(postId, shard), ContentIndex.PeriodOf(postId), reactors, Apply);
        notifying = options.Value.NotifyAuthors ? new ReactionNotifying(GrainFactory, postId, clock) : null;
        commits = new GroupCommit<IReadOnlyDictionary<ReactionType, int>>(CommitAsync);
        recent.Restore(reactors.Apply);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode == DeactivationReasonCode.ApplicationError || !engineEvents.ClearWorthWriting)
        {
            return;
        }

        try
        {
            await recent.StoreSentUpToAsync();
        }
        catch (Exception)
        {
            // Only costs a resend at the next activation, which subscribers that know the ids drop.
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => outbox.ReceiveReminder(reminderName);

    public Task<ReactionSummary> Add(string userId, ReactionType type) => ChangeAsync(ShardChange.Add(userId, type));

    public Task<ReactionSummary> Remove(string userId, ReactionType type) => ChangeAsync(ShardChange.Remove(userId, type));

    public Task<IReadOnlyList<ReactionType>> GetReactionsOf(string userId) => Task.FromResult<IReadOnlyList<ReactionType>>(reactors.Of(userId));

    public Task<IReadOnlyDictionary<ReactionType, int>> GetCounts() => Task.FromResult<IReadOnlyDictionary<ReactionType, int>>(reactors.Counts());

    public async Task<int> EraseUser(string userId)
    {
        noting.Erase(userId);
        outbox.Forget(userId);
        var had = reactors.HasReactions(userId);
        var removed = reactors.Erase(userId);

        // The author's group of reactions counts them no more: the commit below sends the withdrawal.
        notifying?.Note(userId, had, hasAny: false);

        // No stored change may name the user any more. Even with nothing removed now: an earlier,
        // failed attempt may have removed in memory only.
        recent.RewriteAll(emptyStale: true);
        await commits.JoinNext();
        return removed;
    }

    public async Task<BatchOutcome<ReactionSummary>[]> ApplyAll(ReactionChange[] changes)
    {
        var refused = new DomainException?[changes.Length];
        for (var i = 0; i < changes.Length; i++)
        {
            var change = changes[i];
            try
            {
                noting.Accept(new ShardChange(!change.Remove, change.UserId, change.Type));
            }
            catch (DomainException ex)
            {
                refused[i] = ex;
            }
        }

        var totals = await commits.JoinNext();
        var outcomes = new BatchOutcome<ReactionSummary>[changes.Length];
        for (var i = 0; i < changes.Length; i++)
        {
            var userId = changes[i].UserId;
            var refusal = refused[i] ?? noting.RefusalOf(userId);
            outcomes[i] = refusal is null
                ? BatchOutcome.Of(new ReactionSummary(totals, reactors.Of(userId)))
                : BatchOutcome.Refused<ReactionSummary>(refusal.Error, refusal.Message);
        }

        return outcomes;
    }

    private async Task<ReactionSummary> ChangeAsync(ShardChange change)
    {
        // Everything up to the commit runs in one turn: reentrancy cannot interleave it.
        noting.Accept(change);

        // Every change waits for a commit, even one memory holds already: an earlier attempt of it
        // may have failed before its write.
        var totals = await commits.JoinNext();
        noting.ThrowIfErased(change.UserId);
        return new ReactionSummary(totals, reactors.Of(change.UserId));
    }

    private async Task<IReadOnlyDictionary<ReactionType, int>> CommitAsync()
    {
        await noting.NoteWaitingAsync();
        await outbox.BeforeCommitAsync();
        long toldUpTo;
        try
        {
            // In the turn that hands the changes to the write: the adds noted so far are this commit's.
            toldUpTo = await recent.WriteAsync(outbox.BeginCommit());
        }
        catch
        {
            outbox.CommitFailed();
            // Memory may hold changes that no stored slot will: until the activation goes (as the
            // storage failure filter also asks, for the failures it knows), a commit writes it all,
            // so a retry is acknowledged only once its change is stored.
            recent.RewriteAll();
            DeactivateOnIdle();
            throw;
        }

        try
        {
            if (notifying is not null)
            {
                await notifying.FlushAsync();
            }
        }
        catch (Exception)
        {
            // The reactions are stored and counted: a notification lost here must not fail them.
        }

        try
        {
            await outbox.CommittedAsync(toldUpTo);
        }
        catch (Exception)
        {
            // The events are stored with the reactions and their hand-on asks again: this must not fail the reactions.
        }

        return await GrainFactory.GetGrain<IPostGrain>(postId).ReportReactionCounts(shard, reactors.Counts());
    }

    /// <summary>Applies a new change and adds it to the next commit's.</summary>
    private void Apply(ShardChange change)
    {
        var had = reactors.HasReactions(change.UserId);
        var told = change.IsAdd && !(state.State.Reactors.TryGetValue(change.Type, out var givers) && givers.Contains(change.UserId));
        if (told)
        {
            outbox.Note(change.UserId, change.Type);
        }

        recent.Append(change, told);
        reactors.Apply(change);
        notifying?.Note(change.UserId, had, reactors.HasReactions(change.UserId));
    }
}
