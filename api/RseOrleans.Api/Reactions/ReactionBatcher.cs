using System.Collections.Concurrent;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Reactions;

/// <summary>
/// Sends the reactions this process receives for one shard of a post in batches: one call to the
/// shard while none is in flight, and whatever arrives meanwhile in the next call, as soon as that
/// one returns. A quiet post's reaction goes out at once, alone; a viral post's thousands a second
/// cost the shard a call per few hundred reactions instead of one each, with no added wait.
/// Each caller still gets its own summary, or its own refusal, once its change is durable.
/// </summary>
public sealed class ReactionBatcher(IGrainFactory grains)
{
    /// <summary>Changes per call at most, so that one call stays a modest message.</summary>
    public const int MaxBatch = 512;

    private readonly ConcurrentDictionary<string, ShardQueue> queues = new(StringComparer.Ordinal);
    private readonly IGrainFactory grains = grains;

    public Task<ReactionSummary> AddAsync(long postId, int shardCount, string userId, ReactionType type, string requestId) =>
        SendAsync(postId, shardCount, new ReactionChange(userId, type, requestId, Remove: false));

    public Task<ReactionSummary> RemoveAsync(long postId, int shardCount, string userId, ReactionType type, string requestId) =>
        SendAsync(postId, shardCount, new ReactionChange(userId, type, requestId, Remove: true));

    private Task<ReactionSummary> SendAsync(long postId, int shardCount, ReactionChange change)
    {
        var key = ReactionShards.Key(postId, ReactionShards.ShardOf(change.UserId, shardCount));
        return queues.GetOrAdd(key, static (shardKey, batcher) => new ShardQueue(batcher, shardKey), this).SendAsync(change);
    }

    private sealed class ShardQueue(ReactionBatcher batcher, string shardKey)
    {
        private readonly IReactionShardGrain shard = batcher.grains.GetGrain<IReactionShardGrain>(shardKey);
        private readonly List<(ReactionChange Change, TaskCompletionSource<ReactionSummary> Caller)> waiting = [];
        private bool sending;

        public Task<ReactionSummary> SendAsync(ReactionChange change)
        {
            var caller = new TaskCompletionSource<ReactionSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (waiting)
            {
                waiting.Add((change, caller));
                if (sending)
                {
                    return caller.Task;
                }

                sending = true;
            }

            _ = SendWhileWaitingAsync();
            return caller.Task;
        }

        private async Task SendWhileWaitingAsync()
        {
            while (TakeBatch() is { } batch)
            {
                try
                {
                    var outcomes = await shard.ApplyAll([.. batch.Select(item => item.Change)]);
                    for (var i = 0; i < batch.Length; i++)
                    {
                        var outcome = outcomes[i];
                        if (outcome.Summary is { } summary)
                        {
                            batch[i].Caller.SetResult(summary);
                        }
                        else
                        {
                            batch[i].Caller.SetException(new DomainException(outcome.Error, outcome.Message ?? "Refused."));
                        }
                    }
                }
                catch (Exception ex)
                {
                    // The call's outcome is unknown to every change in it: each caller retries with its request id.
                    foreach (var (_, caller) in batch)
                    {
                        caller.SetException(ex);
                    }
                }
            }
        }

        /// <summary>The next batch, or null when none waits: then the queue is idle, and leaves the table.</summary>
        private (ReactionChange Change, TaskCompletionSource<ReactionSummary> Caller)[]? TakeBatch()
        {
            lock (waiting)
            {
                if (waiting.Count == 0)
                {
                    sending = false;

                    // An idle queue holds nothing; a caller that found it just before still sends through it.
                    batcher.queues.TryRemove(new KeyValuePair<string, ShardQueue>(shardKey, this));
                    return null;
                }

                var count = Math.Min(waiting.Count, MaxBatch);
                var batch = waiting.GetRange(0, count).ToArray();
                waiting.RemoveRange(0, count);
                return batch;
            }
        }
    }
}
