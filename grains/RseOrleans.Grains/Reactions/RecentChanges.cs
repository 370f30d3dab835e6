using System.Buffers;

namespace RseOrleans.Grains.Reactions;

/// <summary>
/// Makes a shard's changes durable without rewriting its reactors, which grow with the post: a
/// commit appends its changes to one of <see cref="Slots"/> small states of about
/// <see cref="SlotBytes"/> and writes that one, whatever the post's size. Once the last slot is
/// full, the next commit writes the whole <see cref="ReactionShardState"/> instead, under the next
/// generation number, which makes every slot stale at once without writing them.
/// </summary>
/// <remarks>
/// Activation replays, in order, the slots of the state's generation: a failure after the state
/// was written leaves only slots of an older generation, which the state holds already. Replaying
/// a change the state holds already is harmless too, as the last change of a user and type
/// decides. An erasure rewrites the whole state and empties the stale slots, so that no stored
/// change names the user any more. The stored changes also hold the shard's events not handed on
/// yet (<see cref="ReactionOutbox"/>): each write stores the outbox's watermark with them.
/// </remarks>
internal sealed class RecentChanges(
    IPersistentState<ReactionShardState> state,
    IPersistentState<RecentReactionChangesState>[] slots,
    ReactionOutbox outbox)
{
    /// <summary>The source of a position that is <see cref="ReactionShardState.UnsentAdds"/>, before the slots.</summary>
    internal const int UnsentAdds = -1;

    /// <summary>
    /// Slots of recent changes, and about how much each holds: enough changes between two
    /// rewrites of the whole state (a few thousand reactions) that those are rare on a hot post,
    /// and a slot small enough that writing it on every commit costs little, also as a PostgreSQL
    /// row, and never a large-object allocation.
    /// </summary>
    internal const int Slots = 4;

    internal const int SlotBytes = 8 * 1024;

    /// <summary>Changes applied since the last commit began, packed; moved into a slot by the next one.</summary>
    private readonly ArrayBufferWriter<byte> pending = new();

    /// <summary>The slot the next changes go to.</summary>
    private int slot;

    /// <summary>Set by an erasure and by a failed write: the next commit rewrites the whole state.</summary>
    private bool rewriteAll;

    /// <summary>
    /// Set by an erasure: slots made stale are still stored, with changes of the user, so the
    /// rewrite empties them too.
    /// </summary>
    private bool emptyStaleSlots;

    /// <summary>
    /// Where a stored byte is among those of the generation, in their order: the unsent adds of
    /// <see cref="ReactionShardState"/> (source <see cref="UnsentAdds"/>), then each slot's changes.
    /// </summary>
    public static long Position(int source, int offset) => ((long)(source + 1) << 32) | (uint)offset;

    /// <summary>
    /// Replays the stored changes of the state's generation, oldest first, and starts the stale
    /// slots afresh; then hands the outbox the told adds stored beyond its watermark.
    /// </summary>
    public void Restore(Action<ShardChange> replay)
    {
        var sentUpTo = 0L;
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i].State.Generation != state.State.Generation)
            {
                slots[i].State = new RecentReactionChangesState { Generation = state.State.Generation };
                continue;
            }

            foreach (var change in PackedChanges.Read(slots[i].State.Changes))
            {
                replay(change);
            }

            if (slots[i].State.Changes.Length > 0)
            {
                slot = i;
            }

            // The watermark only grows within a generation: the latest slot written has the highest.
            sentUpTo = Math.Max(sentUpTo, slots[i].State.SentUpTo);
        }

        var unsent = new List<ToldBatch>();
        PackedChanges.ReadTold(state.State.UnsentAdds, offset => Position(UnsentAdds, offset), sentUpTo, unsent);
        for (var i = 0; i < slots.Length; i++)
        {
            var source = i;
            PackedChanges.ReadTold(slots[i].State.Changes, offset => Position(source, offset), sentUpTo, unsent);
        }

        outbox.Resume(unsent, sentUpTo);
    }

    /// <summary>Adds a change applied in memory to the next commit's; <paramref name="told"/>: an add told as an event.</summary>
    public void Append(ShardChange change, bool told) => PackedChanges.Append(pending, change, told);

    /// <summary>
    /// Makes the next commit rewrite the whole state: after an erasure (emptying the stale slots
    /// too), or after a failed write, when memory may hold changes that no stored slot will.
    /// </summary>
    public void RewriteAll(bool emptyStale = false)
    {
        rewriteAll = true;
        emptyStaleSlots |= emptyStale;
    }

    /// <summary>
    /// Writes this commit's changes: appended to a slot, or with the whole state once the slots
    /// are full. Even with nothing new it writes, because a caller may wait on it to store what
    /// memory holds already (an erasure, or a retry after a failed write). Returns the position
    /// where the commit's told adds end, marked as told at <paramref name="toldAt"/> (when any).
    /// </summary>
    public async Task<long> WriteAsync(DateTimeOffset? toldAt)
    {
        if (toldAt is { } at)
        {
            PackedChanges.AppendToldAt(pending, at);
        }

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
            return await WriteWholeStateAsync();
        }

        if (pending.WrittenCount > 0)
        {
            slots[slot].State.Changes = [.. changes, .. pending.WrittenSpan];
            pending.ResetWrittenCount();
        }

        var end = Position(slot, slots[slot].State.Changes.Length);
        slots[slot].State.SentUpTo = outbox.SentUpTo;
        await slots[slot].WriteStateAsync();
        return end;
    }

    /// <summary>
    /// As the activation leaves: stores how far the events were handed on, if that moved since the
    /// last write, so that a later activation does not send them again. Not after a failed write
    /// (the next activation starts from what is stored).
    /// </summary>
    public async Task StoreSentUpToAsync()
    {
        if (rewriteAll || slots[slot].State.SentUpTo == outbox.SentUpTo)
        {
            return;
        }

        slots[slot].State.SentUpTo = outbox.SentUpTo;
        await slots[slot].WriteStateAsync();
    }

    private async Task<long> WriteWholeStateAsync()
    {
        // Changes applied during the write may be in it or not: they are in the next recent
        // changes either way, and replaying them on top is harmless. Until the write succeeds
        // the slots stay as they are, so the next commit rewrites the whole state again.
        pending.ResetWrittenCount();
        rewriteAll = false;
        state.State.Generation++;
        state.State.UnsentAdds = outbox.PackUnsent();
        var end = Position(UnsentAdds, state.State.UnsentAdds?.Length ?? 0);
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

        return end;
    }
}
