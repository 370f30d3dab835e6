using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>A shard's reactions as last written whole (see <see cref="RecentChanges"/> for what came since).</summary>
[GenerateSerializer]
[Alias("rse.ReactionShardState")]
public sealed class ReactionShardState
{
    /// <summary>Who gave each reaction type: a set, so a user counts once per type.</summary>
    [Id(0)]
    public Dictionary<ReactionType, HashSet<string>> Reactors { get; set; } = [];

    /// <summary>
    /// Counts the rewrites of this state: the recent changes apply on top of the generation they
    /// name, and only of this one (0 for a shard never rewritten whole).
    /// </summary>
    [Id(2)]
    public long Generation { get; set; }

    /// <summary>
    /// The added reactions told as events and not handed on when this state was written, packed
    /// as the recent changes are (<see cref="PackedChanges"/>); they are not changes to replay.
    /// The recent changes' <see cref="RecentReactionChangesState.SentUpTo"/> counts from them.
    /// </summary>
    [Id(3)]
    public byte[]? UnsentAdds { get; set; }
}

/// <summary>
/// Changes applied since <see cref="ReactionShardState"/> was last written, packed one after the
/// other (<see cref="PackedChanges"/>): one of the few slots of <see cref="RecentChanges"/>.
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

    /// <summary>
    /// Where the shard's reaction events had been handed on up to when this slot was written: a
    /// position in <see cref="ReactionShardState.UnsentAdds"/> and then the slots of the same
    /// generation (<see cref="RecentChanges.Position"/>). The latest slot written knows best.
    /// </summary>
    [Id(2)]
    public long SentUpTo { get; set; }
}
