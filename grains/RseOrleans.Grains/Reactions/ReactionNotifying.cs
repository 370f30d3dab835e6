using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>
/// Tells the post's author who started or stopped reacting, once per commit: the changes of a
/// commit net out per user (a like then an unlike in one commit says nothing), and go in one
/// one-way call after the commit's write, so a hot post pays one call per commit and its
/// reactions never wait for it. A user counts once, whatever types they add: the group counts
/// people. The shard knows each reaction existed, so its withdrawals are exact.
/// </summary>
internal sealed class ReactionNotifying(IGrainFactory grains, long postId, TimeProvider clock)
{
    /// <summary>Per user: +1 started reacting, -1 stopped, since the last commit written.</summary>
    private readonly Dictionary<string, int> pending = new(StringComparer.Ordinal);
    private (string AuthorId, string? GroupId)? post;

    public void Note(string userId, bool hadAny, bool hasAny)
    {
        if (hadAny == hasAny)
        {
            return;
        }

        var net = pending.GetValueOrDefault(userId) + (hasAny ? 1 : -1);
        if (net == 0)
        {
            pending.Remove(userId);
        }
        else
        {
            pending[userId] = net;
        }
    }

    /// <summary>After a commit's write: sends what changed, one call. A failure loses notifications, never reactions.</summary>
    public async Task FlushAsync()
    {
        if (pending.Count == 0)
        {
            return;
        }

        var changes = pending.ToArray();
        pending.Clear();
        post ??= await grains.GetGrain<IPostGrain>(postId).Get(viewerId: "") is { } snapshot ? (snapshot.AuthorId, snapshot.GroupId) : null;
        if (post is not { } known)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var target = NotificationTarget.Post(postId, known.GroupId);
        var acts = changes
            .Where(change => change.Key != known.AuthorId)
            .Select(change => new NotificationEvent(NotificationKind.ReactionToPost, target, change.Key, now, Withdraw: change.Value < 0))
            .ToArray();
        if (acts.Length > 0)
        {
            await grains.GetGrain<INotificationsGrain>(known.AuthorId).Apply(acts);
        }
    }
}
