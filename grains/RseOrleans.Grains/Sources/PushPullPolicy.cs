using Microsoft.Extensions.Options;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// Whether a source pushes its posts into its audience's feeds or leaves them for the feeds to
/// pull when read: pushed up to <see cref="FeedOptions.PushThreshold"/> members, pulled above it,
/// so that one post never costs a delivery to every member of a huge group.
/// </summary>
internal sealed class PushPullPolicy(
    IPersistentState<SourceState> state,
    SourceAudience audience,
    RecentPosts recent,
    IOptions<FeedOptions> options)
{
    public bool Pulled => state.State.Pulled;

    /// <summary>
    /// Switches between push and pull as the audience grows or shrinks, with a margin so that a
    /// source on the threshold does not flip at every post; decided once for a batch of posts
    /// (<paramref name="batch"/>, ascending), which all go out the same way. On a switch back to
    /// push, returns the posts published while pulled, the batch's own excepted (they are pushed
    /// too, so no feed misses one); otherwise null.
    /// </summary>
    public long[]? Choose(long[] batch)
    {
        var threshold = options.Value.PushThreshold;
        var pull = state.State.Pulled ? audience.Count >= threshold * 3L / 4 : audience.Count > threshold;
        if (pull == state.State.Pulled)
        {
            return null;
        }

        state.State.Pulled = pull;
        if (pull)
        {
            state.State.PulledSince = batch[0];
            return null;
        }

        return recent.Since(state.State.PulledSince, except: batch);
    }
}
