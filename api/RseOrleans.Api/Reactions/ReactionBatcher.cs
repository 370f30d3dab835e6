using RseOrleans.Api.Batching;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Reactions;

/// <summary>
/// Sends the reactions this process receives for one shard of a post in batches (see
/// <see cref="KeyedBatcher{TItem, TOutcome}"/>): a quiet post's reaction goes out at once, alone; a
/// viral post's thousands a second cost the shard a call per few hundred reactions instead of one
/// each, with no added wait. Each caller still gets its own summary, or its own refusal, once its
/// change is durable.
/// </summary>
public sealed class ReactionBatcher(IGrainFactory grains)
{
    /// <summary>Changes per call at most, so that one call stays a modest message.</summary>
    public const int MaxBatch = 512;

    private readonly KeyedBatcher<ReactionChange, BatchOutcome<ReactionSummary>> shards =
        new(MaxBatch, (shardKey, changes) => grains.GetGrain<IReactionShardGrain>(shardKey).ApplyAll(changes));

    public Task<ReactionSummary> AddAsync(long postId, int shardCount, string userId, ReactionType type) =>
        SendAsync(postId, shardCount, new ReactionChange(userId, type, Remove: false));

    public Task<ReactionSummary> RemoveAsync(long postId, int shardCount, string userId, ReactionType type) =>
        SendAsync(postId, shardCount, new ReactionChange(userId, type, Remove: true));

    private async Task<ReactionSummary> SendAsync(long postId, int shardCount, ReactionChange change)
    {
        var key = ReactionShards.Key(postId, ReactionShards.ShardOf(change.UserId, shardCount));
        return (await shards.SendAsync(key, change)).Unwrap();
    }
}
