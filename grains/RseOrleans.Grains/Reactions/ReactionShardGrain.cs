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
/// <remarks>
/// Erasure finds a user's reactions through the reaction notes of their bucket
/// (<see cref="IReactionNotesGrain"/>), so a user's first reaction here must be noted before it
/// is stored. The notes of a whole commit go in one call per bucket, made by the commit itself
/// before its write: the note costs a hot post a call or two per commit, not a call and a write
/// per reaction. Until its note is durable a change waits outside the state, because a write
/// stores whatever the state holds when the storage copies it, and a reaction stored without its
/// note is one erasure would miss.
/// </remarks>
[Reentrant]
[GrainType("reaction-shard")]
public sealed class ReactionShardGrain(
    [PersistentState("reactions", StorageNames.Main)] IPersistentState<ReactionShardState> state) : Grain, IReactionShardGrain
{
    private const string AddOperation = "react";
    private const string RemoveOperation = "unreact";

    /// <summary>Changes of users not noted yet, in the order they came; applied once noted.</summary>
    private readonly List<Change> unnoted = [];
    private readonly HashSet<string> unnotedUsers = new(StringComparer.Ordinal);

    /// <summary>
    /// Users noted during this activation who have taken every reaction back since: a note is
    /// never withdrawn, so reacting again needs none (a user toggling does not grow the notes).
    /// </summary>
    private readonly HashSet<string> notedWithoutReactions = new(StringComparer.Ordinal);

    /// <summary>
    /// Erased users, as erasure or the notes grains told this activation: refused here at once.
    /// The notes grains refuse them for good, whatever activation asks.
    /// </summary>
    private readonly HashSet<string> erased = new(StringComparer.Ordinal);

    private long postId;
    private int shard;
    private int period;
    private GroupCommit<IReadOnlyDictionary<ReactionType, int>> commits = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString().Split('/');
        postId = long.Parse(key[0], CultureInfo.InvariantCulture);
        shard = int.Parse(key[1], CultureInfo.InvariantCulture);
        period = ContentIndex.PeriodOf(postId);
        commits = new GroupCommit<IReadOnlyDictionary<ReactionType, int>>(CommitAsync);
        return Task.CompletedTask;
    }

    public Task<ReactionSummary> Add(string userId, ReactionType type, string requestId) =>
        ChangeAsync(new Change(AddOperation, userId, type, requestId));

    public Task<ReactionSummary> Remove(string userId, ReactionType type, string requestId) =>
        ChangeAsync(new Change(RemoveOperation, userId, type, requestId));

    public Task<IReadOnlyList<ReactionType>> GetReactionsOf(string userId) => Task.FromResult<IReadOnlyList<ReactionType>>(ReactionsOf(userId));

    public async Task<int> EraseUser(string userId)
    {
        // Erasure calls this once the user's notes are sealed: whatever of theirs still waits
        // for a note would be refused, and so is anything they send from now on.
        erased.Add(userId);
        if (unnotedUsers.Remove(userId))
        {
            unnoted.RemoveAll(change => change.UserId == userId);
        }

        notedWithoutReactions.Remove(userId);
        var removed = 0;
        foreach (var reactors in state.State.Reactors.Values)
        {
            removed += reactors.Remove(userId) ? 1 : 0;
        }

        // Even with nothing removed now: an earlier, failed attempt may have removed in memory only.
        await commits.JoinNext();
        return removed;
    }

    public Task<IReadOnlyDictionary<ReactionType, int>> GetCounts() => Task.FromResult<IReadOnlyDictionary<ReactionType, int>>(Counts());

    private async Task<ReactionSummary> ChangeAsync(Change change)
    {
        // Everything up to the commit runs in one turn: reentrancy cannot interleave it.
        ThrowIfErased(change.UserId);
        if (unnotedUsers.Contains(change.UserId) || (change.Operation == AddOperation && !IsNoted(change.UserId)))
        {
            // Behind the user's earlier changes that wait for the note too, so they apply in order.
            unnotedUsers.Add(change.UserId);
            unnoted.Add(change);
        }
        else
        {
            Apply(change);
        }

        // A retry waits for a commit too: the first attempt may have failed before its write.
        var totals = await commits.JoinNext();
        ThrowIfErased(change.UserId);
        return new ReactionSummary(totals, ReactionsOf(change.UserId));
    }

    private async Task<IReadOnlyDictionary<ReactionType, int>> CommitAsync()
    {
        await NoteUnnotedAsync();
        await state.WriteStateAsync();
        return await GrainFactory.GetGrain<IPostGrain>(postId).ReportReactionCounts(shard, Counts());
    }

    /// <summary>
    /// Notes the users whose changes wait, one call per bucket, and applies their changes once
    /// every note is durable. If a call fails nothing is applied: the changes wait for the next
    /// commit, which notes them again (a note twice is harmless, a reaction without one is not).
    /// </summary>
    private async Task NoteUnnotedAsync()
    {
        if (unnotedUsers.Count == 0)
        {
            return;
        }

        var users = unnotedUsers.ToArray();
        var reaction = new ReactionRef(postId, shard);
        var refused = await Task.WhenAll(users
            .GroupBy(ReactionNotes.BucketOf)
            .Select(bucket => GrainFactory.GetGrain<IReactionNotesGrain>(ReactionNotes.Key(bucket.Key, period)).Note(reaction, [.. bucket])));
        erased.UnionWith(refused.SelectMany(refusedByBucket => refusedByBucket));

        // Users who came during the calls are not noted yet: their changes wait for the next commit.
        var noted = users.ToHashSet(StringComparer.Ordinal);
        var waiting = new List<Change>();
        foreach (var change in unnoted)
        {
            if (!noted.Contains(change.UserId))
            {
                waiting.Add(change);
            }
            else if (!erased.Contains(change.UserId))
            {
                Apply(change);
            }
        }

        unnoted.Clear();
        unnoted.AddRange(waiting);
        unnotedUsers.ExceptWith(noted);
    }

    private void Apply(Change change)
    {
        var (operation, userId, type, requestId) = change;
        if (state.State.Requests.TryGet(operation, userId, requestId, out _))
        {
            // A retry: the first outcome stands, even after later changes.
            return;
        }

        if (!state.State.Reactors.TryGetValue(type, out var reactors))
        {
            state.State.Reactors[type] = reactors = new HashSet<string>(StringComparer.Ordinal);
        }

        if (operation == AddOperation)
        {
            reactors.Add(userId);
            notedWithoutReactions.Remove(userId);
        }
        else if (reactors.Remove(userId) && !HasReactions(userId))
        {
            notedWithoutReactions.Add(userId);
        }

        state.State.Requests.Record(operation, userId, requestId);
    }

    /// <summary>
    /// Whether the user's shard is noted: every user in the state is (their note came before any
    /// change of theirs was applied, in this activation or an earlier one).
    /// </summary>
    private bool IsNoted(string userId) => HasReactions(userId) || notedWithoutReactions.Contains(userId);

    private bool HasReactions(string userId) => state.State.Reactors.Values.Any(reactors => reactors.Contains(userId));

    private void ThrowIfErased(string userId)
    {
        if (erased.Contains(userId))
        {
            throw DomainException.Denied($"The account '{userId}' was erased.");
        }
    }

    private Dictionary<ReactionType, int> Counts() =>
        state.State.Reactors.Where(r => r.Value.Count > 0).ToDictionary(r => r.Key, r => r.Value.Count);

    private ReactionType[] ReactionsOf(string userId) =>
        state.State.Reactors.Where(r => r.Value.Contains(userId)).Select(r => r.Key).Order().ToArray();

    private readonly record struct Change(string Operation, string UserId, ReactionType Type, string RequestId);
}
