using System.Globalization;
using Orleans.Concurrency;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

[GenerateSerializer]
[Alias("rse.ReactionShardState")]
public sealed class ReactionShardState
{
    /// <summary>Who gave each reaction type: a set, so a user counts once per type.</summary>
    [Id(0)]
    public Dictionary<ReactionType, HashSet<string>> Reactors { get; set; } = [];

    [Id(1)]
    public RequestLog Requests { get; set; } = new();
}

/// <summary>
/// Reentrant, and committing in groups: reactions that arrive while a write is in flight are
/// applied in memory at once and made durable together by the next write. Every caller is
/// answered only after the write that holds its change, and after the post has the new totals,
/// so an acknowledged reaction is durable and counted, without one storage write per reaction.
/// </summary>
[Reentrant]
[GrainType("reaction-shard")]
public sealed class ReactionShardGrain(
    [PersistentState("reactions", StorageNames.Main)] IPersistentState<ReactionShardState> state) : Grain, IReactionShardGrain
{
    private const string AddOperation = "react";
    private const string RemoveOperation = "unreact";

    private long postId;
    private int shard;
    private TaskCompletionSource<IReadOnlyDictionary<ReactionType, int>>? nextCommit;
    private Task? committing;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString().Split('/');
        postId = long.Parse(key[0], CultureInfo.InvariantCulture);
        shard = int.Parse(key[1], CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    }

    public async Task<ReactionSummary> Add(string userId, ReactionType type, string requestId)
    {
        // Noted before the reaction exists: erasing the user must find this shard. Refused once
        // they are erased, and then the reaction is never made. A user who already holds a
        // reaction here was noted before, and a noted shard is never forgotten.
        if (ReactionsOf(userId).Length == 0)
        {
            await GrainFactory.ContentIndexOf(userId, postId).NoteReaction(new ReactionRef(postId, shard));
        }

        return await Change(AddOperation, userId, type, requestId, (reactors, user) => reactors.Add(user));
    }

    public Task<ReactionSummary> Remove(string userId, ReactionType type, string requestId) =>
        Change(RemoveOperation, userId, type, requestId, (reactors, user) => reactors.Remove(user));

    public Task<IReadOnlyList<ReactionType>> GetReactionsOf(string userId) => Task.FromResult<IReadOnlyList<ReactionType>>(ReactionsOf(userId));

    public async Task<int> EraseUser(string userId)
    {
        var removed = 0;
        foreach (var reactors in state.State.Reactors.Values)
        {
            removed += reactors.Remove(userId) ? 1 : 0;
        }

        // Even with nothing removed now: an earlier, failed attempt may have removed in memory only.
        await CommitAsync();
        return removed;
    }

    public Task<IReadOnlyDictionary<ReactionType, int>> GetCounts() => Task.FromResult<IReadOnlyDictionary<ReactionType, int>>(Counts());

    private async Task<ReactionSummary> Change(
        string operation, string userId, ReactionType type, string requestId, Func<HashSet<string>, string, bool> change)
    {
        // Everything up to the commit runs in one turn: reentrancy cannot interleave it.
        if (!state.State.Requests.TryGet(operation, userId, requestId, out _))
        {
            if (!state.State.Reactors.TryGetValue(type, out var reactors))
            {
                state.State.Reactors[type] = reactors = new HashSet<string>(StringComparer.Ordinal);
            }

            change(reactors, userId);
            state.State.Requests.Record(operation, userId, requestId);
        }

        // A retry waits for a commit too: the first attempt may have failed before its write.
        var totals = await CommitAsync();
        return new ReactionSummary(totals, ReactionsOf(userId));
    }

    /// <summary>Joins the next write; starts the write loop when none runs.</summary>
    private Task<IReadOnlyDictionary<ReactionType, int>> CommitAsync()
    {
        nextCommit ??= new TaskCompletionSource<IReadOnlyDictionary<ReactionType, int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var commit = nextCommit.Task;
        if (committing is null || committing.IsCompleted)
        {
            committing = CommitLoop();
        }

        return commit;
    }

    private async Task CommitLoop()
    {
        while (nextCommit is { } batch)
        {
            // Changes made from here on wait for the following write.
            nextCommit = null;
            try
            {
                await state.WriteStateAsync();
                var totals = await GrainFactory.GetGrain<IPostGrain>(postId).ReportReactionCounts(shard, Counts());
                batch.SetResult(totals);
            }
            catch (Exception ex)
            {
                batch.SetException(ex);
            }
        }
    }

    private Dictionary<ReactionType, int> Counts() =>
        state.State.Reactors.Where(r => r.Value.Count > 0).ToDictionary(r => r.Key, r => r.Value.Count);

    private ReactionType[] ReactionsOf(string userId) =>
        state.State.Reactors.Where(r => r.Value.Contains(userId)).Select(r => r.Key).Order().ToArray();
}
