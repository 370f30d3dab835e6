using System.Buffers;
using System.Globalization;
using System.Text;
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

    /// <summary>
    /// Counts the rewrites of this state: the recent changes apply on top of the generation they
    /// name, and only of this one (absent in states stored before, which read as 0, as does a
    /// shard without recent changes).
    /// </summary>
    [Id(2)]
    public long Generation { get; set; }
}

/// <summary>
/// Changes applied since <see cref="ReactionShardState"/> was last written, packed one after the
/// other (see <see cref="ReactionShardGrain"/>): one of the few slots that hold them in turn.
/// </summary>
[GenerateSerializer]
[Alias("rse.RecentReactionChangesState")]
public sealed class RecentReactionChangesState
{
    /// <summary>The <see cref="ReactionShardState.Generation"/> these changes apply on top of.</summary>
    [Id(0)]
    public long Generation { get; set; }

    [Id(1)]
    public byte[] Changes { get; set; } = [];
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
/// <para>
/// A commit does not rewrite the reactors, which grow with the post: it appends its changes to
/// recent changes and writes those (a change is the operation, the reaction type, then the user id
/// and the request id, UTF-8 after their lengths as 7-bit encoded integers). The recent changes
/// fill <see cref="Slots"/> states of about <see cref="SlotBytes"/> in turn, so a commit writes one
/// small state, whatever the post's size; once the last slot is full, the next commit writes the
/// whole state instead, with the next generation number, which makes every slot stale at once
/// without writing them. Activation replays, in order, the slots of the state's generation: a
/// failure after the state was written leaves only slots of an older generation, which the state
/// holds already. Replaying a change the state holds already is harmless too: the last change of
/// a user and type decides. Erasing a user rewrites the whole state at once, so no stored change
/// names them any more.
/// </para>
/// </remarks>
[Reentrant]
[GrainType("reaction-shard")]
public sealed class ReactionShardGrain(
    [PersistentState("reactions", StorageNames.Main)] IPersistentState<ReactionShardState> state,
    [PersistentState("reactions-recent-0", StorageNames.Main)] IPersistentState<RecentReactionChangesState> recent0,
    [PersistentState("reactions-recent-1", StorageNames.Main)] IPersistentState<RecentReactionChangesState> recent1,
    [PersistentState("reactions-recent-2", StorageNames.Main)] IPersistentState<RecentReactionChangesState> recent2,
    [PersistentState("reactions-recent-3", StorageNames.Main)] IPersistentState<RecentReactionChangesState> recent3) : Grain, IReactionShardGrain
{
    private const string AddOperation = "react";
    private const string RemoveOperation = "unreact";

    /// <summary>
    /// Slots of recent changes, and about how much each holds: enough changes between two
    /// rewrites of the whole state (a few thousand reactions) that those are rare on a hot post,
    /// and a slot small enough that writing it on every commit costs little, also as a PostgreSQL
    /// row, and never a large-object allocation.
    /// </summary>
    internal const int Slots = 4;

    internal const int SlotBytes = 8 * 1024;

    private const byte AddCode = 1;
    private const byte RemoveCode = 2;

    /// <summary>Changes applied since the last commit began, packed; moved into the recent changes by the next one.</summary>
    private readonly ArrayBufferWriter<byte> pending = new();

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
    private IPersistentState<RecentReactionChangesState>[] slots = null!;

    /// <summary>The slot the next changes go to.</summary>
    private int slot;

    /// <summary>
    /// Set by an erasure, so that no stored change names the user, and by a failed write: the next
    /// commit rewrites the whole state.
    /// </summary>
    private bool rewriteAll;

    /// <summary>
    /// Set by an erasure: slots made stale are still stored, with changes of the user, so the
    /// rewrite empties them too.
    /// </summary>
    private bool emptyStaleSlots;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString().Split('/');
        postId = long.Parse(key[0], CultureInfo.InvariantCulture);
        shard = int.Parse(key[1], CultureInfo.InvariantCulture);
        period = ContentIndex.PeriodOf(postId);
        commits = new GroupCommit<IReadOnlyDictionary<ReactionType, int>>(CommitAsync);
        slots = [recent0, recent1, recent2, recent3];
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i].State.Generation != state.State.Generation)
            {
                // Stale, from before the state was last written: the slot starts afresh.
                slots[i].State = new RecentReactionChangesState { Generation = state.State.Generation };
                continue;
            }

            Replay(slots[i].State.Changes);
            if (slots[i].State.Changes.Length > 0)
            {
                slot = i;
            }
        }

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

        rewriteAll = emptyStaleSlots = true;

        // Even with nothing removed now: an earlier, failed attempt may have removed in memory only.
        await commits.JoinNext();
        return removed;
    }

    public Task<IReadOnlyDictionary<ReactionType, int>> GetCounts() => Task.FromResult<IReadOnlyDictionary<ReactionType, int>>(Counts());

    public async Task<BatchOutcome<ReactionSummary>[]> ApplyAll(ReactionChange[] changes)
    {
        var refused = new DomainException?[changes.Length];
        for (var i = 0; i < changes.Length; i++)
        {
            var change = changes[i];
            try
            {
                Accept(new Change(change.Remove ? RemoveOperation : AddOperation, change.UserId, change.Type, change.RequestId));
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
            var refusal = refused[i] ?? (erased.Contains(userId) ? Erased(userId) : null);
            outcomes[i] = refusal is null
                ? BatchOutcome.Of(new ReactionSummary(totals, ReactionsOf(userId)))
                : BatchOutcome.Refused<ReactionSummary>(refusal.Error, refusal.Message);
        }

        return outcomes;
    }

    private async Task<ReactionSummary> ChangeAsync(Change change)
    {
        Accept(change);

        // A retry waits for a commit too: the first attempt may have failed before its write.
        var totals = await commits.JoinNext();
        ThrowIfErased(change.UserId);
        return new ReactionSummary(totals, ReactionsOf(change.UserId));
    }

    /// <summary>Takes a change into memory, or behind the user's note; the next commit stores it.</summary>
    private void Accept(Change change)
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
    }

    private async Task<IReadOnlyDictionary<ReactionType, int>> CommitAsync()
    {
        await NoteUnnotedAsync();
        try
        {
            await WriteAsync();
        }
        catch
        {
            // Memory may hold changes that no stored slot will: until the activation goes (as the
            // storage failure filter also asks, for the failures it knows), a commit writes it all,
            // so a retry, which applies nothing twice, is acknowledged only once its change is stored.
            rewriteAll = true;
            DeactivateOnIdle();
            throw;
        }

        return await GrainFactory.GetGrain<IPostGrain>(postId).ReportReactionCounts(shard, Counts());
    }

    /// <summary>
    /// Writes the changes of this commit: appended to a slot of recent changes, or with the whole state
    /// once the slots are full. After a failed write the activation goes, and until then every
    /// commit rewrites the whole state (see <see cref="CommitAsync"/>).
    /// </summary>
    private async Task WriteAsync()
    {
        var changes = slots[slot].State.Changes;
        var full = changes.Length > 0 && changes.Length + pending.WrittenCount > SlotBytes;
        if (full && slot < slots.Length - 1)
        {
            slot++;
            changes = slots[slot].State.Changes;
            full = false;
        }

        if (rewriteAll || full)
        {
            // Changes applied during the write may be in it or not: they are in the next recent
            // changes either way, and replaying them on top is harmless. Until the write succeeds
            // the slots stay as they are, so the next commit rewrites the whole state again.
            pending.ResetWrittenCount();
            rewriteAll = false;
            state.State.Generation++;
            await state.WriteStateAsync();
            foreach (var stale in slots)
            {
                stale.State = new RecentReactionChangesState { Generation = state.State.Generation };
            }

            slot = 0;
            if (emptyStaleSlots)
            {
                foreach (var stale in slots.Where(stale => stale.RecordExists))
                {
                    await stale.WriteStateAsync();
                }

                emptyStaleSlots = false;
            }

            return;
        }

        if (pending.WrittenCount > 0)
        {
            slots[slot].State.Changes = [.. changes, .. pending.WrittenSpan];
            pending.ResetWrittenCount();
        }

        // Even with nothing new: a retry waits for this write, which stores what its first attempt applied.
        await slots[slot].WriteStateAsync();
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

        Pack(change);
        ApplyToState(change);
    }

    private void ApplyToState(Change change)
    {
        var (operation, userId, type, requestId) = change;
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

    private void Pack(Change change)
    {
        var user = Encoding.UTF8.GetByteCount(change.UserId);
        var request = Encoding.UTF8.GetByteCount(change.RequestId);
        var span = pending.GetSpan(2 + 5 + user + 5 + request);
        span[0] = change.Operation == AddOperation ? AddCode : RemoveCode;
        span[1] = (byte)change.Type;
        var written = 2;
        written += PackString(change.UserId, user, span[written..]);
        written += PackString(change.RequestId, request, span[written..]);
        pending.Advance(written);
    }

    private static int PackString(string value, int length, Span<byte> span)
    {
        var written = 0;
        for (var rest = (uint)length; ; rest >>= 7)
        {
            span[written++] = (byte)(rest < 0x80 ? rest : (rest & 0x7F) | 0x80);
            if (rest < 0x80)
            {
                break;
            }
        }

        return written + Encoding.UTF8.GetBytes(value, span[written..]);
    }

    /// <summary>
    /// Applies stored changes without asking the request log: they were applied once, in this
    /// order, and their requests are recorded again on the way.
    /// </summary>
    private void Replay(ReadOnlySpan<byte> changes)
    {
        while (!changes.IsEmpty)
        {
            var operation = changes[0] == AddCode ? AddOperation : RemoveOperation;
            var type = (ReactionType)changes[1];
            changes = changes[2..];
            var userId = UnpackString(ref changes);
            var requestId = UnpackString(ref changes);
            ApplyToState(new Change(operation, userId, type, requestId));
        }
    }

    private static string UnpackString(ref ReadOnlySpan<byte> changes)
    {
        var length = 0;
        var read = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = changes[read++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        var value = Encoding.UTF8.GetString(changes.Slice(read, length));
        changes = changes[(read + length)..];
        return value;
    }

    /// <summary>
    /// Whether the user's shard is noted: every user in the state is (their note came before any
    /// change of theirs was applied, in this activation or an earlier one).
    /// </summary>
    private bool IsNoted(string userId) => HasReactions(userId) || notedWithoutReactions.Contains(userId);

    // Loops rather than LINQ: these run on every reaction, where a closure and a boxed enumerator
    // per call add up.
    private bool HasReactions(string userId)
    {
        foreach (var reactors in state.State.Reactors.Values)
        {
            if (reactors.Contains(userId))
            {
                return true;
            }
        }

        return false;
    }

    private void ThrowIfErased(string userId)
    {
        if (erased.Contains(userId))
        {
            throw Erased(userId);
        }
    }

    private static DomainException Erased(string userId) => DomainException.Denied($"The account '{userId}' was erased.");

    private Dictionary<ReactionType, int> Counts() =>
        state.State.Reactors.Where(r => r.Value.Count > 0).ToDictionary(r => r.Key, r => r.Value.Count);

    private ReactionType[] ReactionsOf(string userId)
    {
        var count = 0;
        Span<ReactionType> theirs = stackalloc ReactionType[state.State.Reactors.Count];
        foreach (var (type, reactors) in state.State.Reactors)
        {
            if (reactors.Contains(userId))
            {
                theirs[count++] = type;
            }
        }

        if (count == 0)
        {
            return [];
        }

        theirs = theirs[..count];
        theirs.Sort();
        return theirs.ToArray();
    }

    private readonly record struct Change(string Operation, string UserId, ReactionType Type, string RequestId);
}
