using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>A reaction given or taken back at a shard: what a shard applies and stores (<see cref="PackedChanges"/>).</summary>
internal readonly record struct ShardChange(bool IsAdd, string UserId, ReactionType Type)
{
    public static ShardChange Add(string userId, ReactionType type) => new(true, userId, type);

    public static ShardChange Remove(string userId, ReactionType type) => new(false, userId, type);
}
