using System.Collections.Concurrent;

namespace RseOrleans.Api.Batching;

/// <summary>
/// Sends the items this process receives for one key (a grain, usually) in batches: one call per key
/// while none is in flight, and whatever arrives meanwhile in the next call, as soon as that one
/// returns. A quiet key's item goes out at once, alone; a busy key's burst costs a call per batch
/// instead of one each, with no added wait. The call answers one outcome per item, in order, and
/// each caller gets its own; a failed call fails every item in it, since the outcome of each is
/// unknown (callers retry with their request ids).
/// </summary>
/// <param name="maxBatch">Items per call at most, so that one call stays a modest message and turn.</param>
/// <param name="send">Sends one batch to the key; answers one outcome per item, in the same order.</param>
public sealed class KeyedBatcher<TItem, TOutcome>(int maxBatch, Func<string, TItem[], Task<TOutcome[]>> send)
{
    private readonly ConcurrentDictionary<string, KeyQueue> queues = new(StringComparer.Ordinal);
    private readonly int maxBatch = maxBatch > 0 ? maxBatch : throw new ArgumentOutOfRangeException(nameof(maxBatch), "A batch holds one item at least.");
    private readonly Func<string, TItem[], Task<TOutcome[]>> send = send;

    /// <summary>Keys with items waiting or a call in flight: an idle key holds no memory.</summary>
    public int BusyKeys => queues.Count;

    public Task<TOutcome> SendAsync(string key, TItem item) =>
        queues.GetOrAdd(key, static (queueKey, batcher) => new KeyQueue(batcher, queueKey), this).SendAsync(item);

    private sealed class KeyQueue(KeyedBatcher<TItem, TOutcome> batcher, string key)
    {
        private readonly List<(TItem Item, TaskCompletionSource<TOutcome> Caller)> waiting = [];
        private bool sending;

        public Task<TOutcome> SendAsync(TItem item)
        {
            var caller = new TaskCompletionSource<TOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (waiting)
            {
                waiting.Add((item, caller));
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
                    var outcomes = await batcher.send(key, [.. batch.Select(waiter => waiter.Item)]);
                    if (outcomes.Length != batch.Length)
                    {
                        throw new InvalidOperationException($"{outcomes.Length} outcomes answered {batch.Length} items sent to '{key}'.");
                    }

                    for (var i = 0; i < batch.Length; i++)
                    {
                        batch[i].Caller.SetResult(outcomes[i]);
                    }
                }
                catch (Exception ex)
                {
                    // The call's outcome is unknown to every item in it: each caller retries with its request id.
                    foreach (var (_, caller) in batch)
                    {
                        caller.TrySetException(ex);
                    }
                }
            }
        }

        /// <summary>The next batch, or null when none waits: then the queue is idle, and leaves the table.</summary>
        private (TItem Item, TaskCompletionSource<TOutcome> Caller)[]? TakeBatch()
        {
            lock (waiting)
            {
                if (waiting.Count == 0)
                {
                    sending = false;

                    // An idle queue holds nothing; a caller that found it just before still sends through it.
                    batcher.queues.TryRemove(new KeyValuePair<string, KeyQueue>(key, this));
                    return null;
                }

                var count = Math.Min(waiting.Count, batcher.maxBatch);
                var batch = waiting.GetRange(0, count).ToArray();
                waiting.RemoveRange(0, count);
                return batch;
            }
        }
    }
}
