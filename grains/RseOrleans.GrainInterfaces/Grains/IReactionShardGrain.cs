using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// One shard of a post's reactions: the users whose id hashes to it. Key: "{postId}/{shard}".
/// Shards spread a viral post's reactions over several grains; each dedupes its own users exactly.
/// </summary>
public interface IReactionShardGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds the reaction; acknowledged once durable (and noted for erasure), with the post's
    /// totals at that moment. PERMISSION_DENIED for an erased user.
    /// </summary>
    Task<ReactionSummary> Add(string userId, ReactionType type);

    Task<ReactionSummary> Remove(string userId, ReactionType type);

    /// <summary>
    /// Applies several users' changes in order and acknowledges them together, once durable: what
    /// <see cref="Add"/> and <see cref="Remove"/> do one by one, for a caller that batches a hot
    /// post's reactions. One outcome per change, in the same order; a refused change (an erased
    /// user) does not fail the others.
    /// </summary>
    Task<BatchOutcome<ReactionSummary>[]> ApplyAll([Immutable] ReactionChange[] changes);

    [AlwaysInterleave]
    Task<IReadOnlyList<ReactionType>> GetReactionsOf(string userId);

    /// <summary>
    /// Removes every reaction of an erased user, acknowledged once durable and counted; returns
    /// how many. Called once their reaction notes are sealed; refuses their reactions from then on.
    /// </summary>
    Task<int> EraseUser(string userId);

    [AlwaysInterleave]
    Task<IReadOnlyDictionary<ReactionType, int>> GetCounts();
}

public static class ReactionShards
{
    /// <summary>The shard of <paramref name="userId"/>'s reactions to a post split into <paramref name="shardCount"/> shards.</summary>
    public static IReactionShardGrain ReactionShard(this IGrainFactory grains, long postId, int shardCount, string userId) =>
        grains.GetGrain<IReactionShardGrain>(Key(postId, ShardOf(userId, shardCount)));

    public static string Key(long postId, int shard) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{postId}/{shard}");

    /// <summary>A hash that every process computes alike (string.GetHashCode is randomized per process).</summary>
    public static int ShardOf(string userId, int shardCount)
    {
        var hash = 2166136261u;
        foreach (var c in userId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)Math.Max(1, shardCount));
    }
}
