using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>
/// A reaction given or taken back at a shard, with the request that asked for it: what a shard
/// applies, stores (<see cref="PackedChanges"/>) and records in its request log.
/// </summary>
internal readonly record struct ShardChange(string Operation, string UserId, ReactionType Type, string RequestId)
{
    /// <summary>The request log's operation names: a retry is recognised per user, request and operation.</summary>
    public const string AddOperation = "react";

    public const string RemoveOperation = "unreact";

    public bool IsAdd => Operation == AddOperation;

    public static ShardChange Add(string userId, ReactionType type, string requestId) => new(AddOperation, userId, type, requestId);

    public static ShardChange Remove(string userId, ReactionType type, string requestId) => new(RemoveOperation, userId, type, requestId);
}
