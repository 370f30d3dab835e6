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
/// change names the user any more.
/// </remarks>
internal sealed class RecentChanges(
    IPersistentState<ReactionShardState> state,
    IPersistentState<RecentReactionChangesState>[] slots)
{
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

    /// <summary>Replays the stored changes of the state's generation, oldest first, and starts the stale slots afresh.</summary>
    public void Restore(Action<ShardChange> replay)
    {
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
        }
    }

    /// <summary>Adds a change applied in memory to the next commit's.</summary>
    public void Append(ShardChange change) => PackedChanges.Append(pending, change);

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
    /// memory holds already (an erasure, or a retry after a failed write).
    /// </summary>
    public async Task WriteAsync()
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
            await WriteWholeStateAsync();
            return;
        }

        if (pending.WrittenCount > 0)
        {
            slots[slot].State.Changes = [.. changes, .. pending.WrittenSpan];
            pending.ResetWrittenCount();
        }

        await slots[slot].WriteStateAsync();
    }

    private async Task WriteWholeStateAsync()
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
    }
}
