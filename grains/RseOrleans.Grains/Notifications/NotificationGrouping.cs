using System.Globalization;
using RseOrleans.Model;

namespace RseOrleans.Grains.Notifications;

/// <summary>
/// How acts become groups. The key is (kind, target, bucket), as in Mastodon 4.3, with one
/// difference, deliberate: acts about a post or comment (mentions, replies, reactions, shares) have
/// one bucket per target rather than per time window, so a withdrawal (a reaction undone days later,
/// a comment deleted) always knows which group counted the act, and the count stays exact without
/// remembering every actor: a post with 100,000 reactions is one group holding a count and
/// <see cref="NotificationLimits.RecentActors"/> names. Acts about a person or a group (new
/// followers, join requests, added to a group, approvals, a group's new posts) are bucketed by UTC
/// day (the act's time, for a new post the post's own); of those, only new posts are withdrawn (a
/// deleted post), and their groups keep the ids of the posts they count so that a post told twice
/// counts once and a post never counted is never taken back; the others keep the ids of the people
/// they count, so that a person counts once a group (a follow, an unfollow and a follow again in
/// one day are one new follower) and an erasure takes its person out. The producer of a withdrawal is the owner of the fact (the reaction shard, the post),
/// which knows the act was counted: this side decrements without having to remember the actor.
/// </summary>
internal static class NotificationGrouping
{
    public static string KeyOf(NotificationEvent act) => IsBucketedByTarget(act.Kind)
        ? act.Target.PostId == 0 && act.Target.GroupId is { } groupId
            // A target that is a group, not a post (a disabled webhook of that group): one group per group.
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)act.Kind}:group:{groupId}")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)act.Kind}:{act.Target.PostId}:{act.Target.CommentId}")
        : act.Kind == NotificationKind.NewFollower
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)act.Kind}:{act.At.UtcDateTime:yyyy-MM-dd}")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)act.Kind}:{act.Target.GroupId}:{act.At.UtcDateTime:yyyy-MM-dd}");

    /// <summary>Acts about a post or a comment: one group per target, whatever the day.</summary>
    private static bool IsBucketedByTarget(NotificationKind kind) =>
        kind is not (NotificationKind.NewGroupPost or NotificationKind.NewFollower) && !NotificationKinds.KeepsActors(kind);

    /// <summary>
    /// Counts or takes back a batch of acts, as <see cref="Add"/> and <see cref="Withdraw"/> do one by
    /// one. A run of acts on one post or comment (a reaction shard's commit: every reactor of the
    /// commit) changes its group once, not once per act: what a hot post's reactions cost here.
    /// </summary>
    public static bool ApplyAll(NotificationsState state, IReadOnlyList<NotificationEvent> acts, Func<NotificationEvent, bool> counts)
    {
        var changed = false;
        var start = 0;
        while (start < acts.Count)
        {
            var first = acts[start];
            var end = start + 1;
            if (!first.Withdraw && IsBucketedByTarget(first.Kind))
            {
                while (end < acts.Count && acts[end] is { Withdraw: false } next && next.Kind == first.Kind && next.Target == first.Target)
                {
                    end++;
                }
            }

            if (end - start > 1)
            {
                changed |= AddRun(state, acts, start, end, counts);
            }
            else if (counts(first))
            {
                changed |= first.Withdraw ? Withdraw(state, first) : Add(state, first);
            }

            start = end;
        }

        return changed;
    }

    /// <summary>Counts acts[start..end), all on one target: one new group, its newest actors first.</summary>
    private static bool AddRun(NotificationsState state, IReadOnlyList<NotificationEvent> acts, int start, int end, Func<NotificationEvent, bool> counts)
    {
        var newest = new List<string>(NotificationLimits.RecentActors);
        var count = 0;
        var newestAt = DateTimeOffset.MinValue;
        NotificationEvent? last = null;
        for (var i = end - 1; i >= start; i--)
        {
            var act = acts[i];
            if (!counts(act))
            {
                continue;
            }

            last ??= act;
            count++;
            newestAt = act.At > newestAt ? act.At : newestAt;
            if (newest.Count < NotificationLimits.RecentActors && !newest.Contains(act.ActorId))
            {
                newest.Add(act.ActorId);
            }
        }

        if (last is null)
        {
            return false;
        }

        var key = KeyOf(last);
        var stamp = ++state.LastStamp;
        if (state.Groups.TryGetValue(key, out var group) && group.Count > 0)
        {
            foreach (var actor in group.RecentActors)
            {
                if (newest.Count == NotificationLimits.RecentActors)
                {
                    break;
                }

                if (!newest.Contains(actor))
                {
                    newest.Add(actor);
                }
            }

            state.Groups[key] = group with
            {
                Count = group.Count + count,
                RecentActors = newest,
                NewestAt = newestAt > group.NewestAt ? newestAt : group.NewestAt,
                Position = stamp,
                Changed = stamp,
            };
        }
        else
        {
            state.Groups[key] = new NotificationGroup(key, last.Kind, last.Target, count, newest, newestAt, stamp, stamp);
        }

        return true;
    }

    /// <summary>Counts the act; its group moves to the top (a new position) and names the actor first.</summary>
    public static bool Add(NotificationsState state, NotificationEvent act)
    {
        var key = KeyOf(act);
        if (act.Kind == NotificationKind.NewGroupPost && !CountPost(state, key, act.Target.PostId))
        {
            return false;
        }

        if (NotificationKinds.KeepsActors(act.Kind) && !CountActor(state, key, act.ActorId))
        {
            return false;
        }

        var stamp = ++state.LastStamp;
        if (state.Groups.TryGetValue(key, out var group) && group.Count > 0)
        {
            state.Groups[key] = group with
            {
                // A group's new posts name the newest: the one the reader opens, and whose readability shows the group.
                Target = act.Kind == NotificationKind.NewGroupPost && act.Target.PostId > group.Target.PostId ? act.Target : group.Target,
                Count = group.Count + 1,
                RecentActors = [act.ActorId, .. group.RecentActors.Where(actor => actor != act.ActorId).Take(NotificationLimits.RecentActors - 1)],
                NewestAt = act.At > group.NewestAt ? act.At : group.NewestAt,
                Position = stamp,
                Changed = stamp,
            };
        }
        else
        {
            state.Groups[key] = new NotificationGroup(key, act.Kind, act.Target, 1, [act.ActorId], act.At, stamp, stamp);
        }

        return true;
    }

    /// <summary>
    /// Takes one act back: the count goes down by one and the actor leaves the recent actors (an
    /// actor with two replies in one group leaves the names with the first deleted; the count stays
    /// exact). A group at 0 stays as a tombstone, so a watch hears it is gone, until pruned.
    /// </summary>
    public static bool Withdraw(NotificationsState state, NotificationEvent act)
    {
        var key = KeyOf(act);
        if (!state.Groups.TryGetValue(key, out var group) || group.Count == 0)
        {
            // Dropped by the bound already, or never counted (the owner's own act).
            return false;
        }

        var target = group.Target;
        if (act.Kind == NotificationKind.NewGroupPost)
        {
            if (!UncountPost(state, key, act.Target.PostId, out var newest))
            {
                return false;
            }

            target = target with { PostId = newest };
        }

        state.Groups[key] = group with
        {
            Target = target,
            Count = group.Count - 1,
            RecentActors = [.. group.RecentActors.Where(actor => actor != act.ActorId)],
            Changed = ++state.LastStamp,
        };
        return true;
    }

    /// <summary>Whether the act is of a kind that keeps its actors and its actor is not counted in its group yet.</summary>
    public static bool IsNewActor(NotificationsState state, NotificationEvent act) =>
        !act.Withdraw && NotificationKinds.KeepsActors(act.Kind) && state.GroupActors?.GetValueOrDefault(KeyOf(act))?.Contains(act.ActorId) != true;

    /// <summary>
    /// Erasure of an actor: out of every group's names, and out of the counts of the groups that
    /// keep their actors (acts about posts are taken back by the posts and shards themselves).
    /// </summary>
    public static bool ForgetActor(NotificationsState state, string actorId)
    {
        var changed = false;
        foreach (var group in state.Groups.Values.ToArray())
        {
            var counted = state.GroupActors?.GetValueOrDefault(group.Key)?.Remove(actorId) == true;
            if (!counted && !group.RecentActors.Contains(actorId))
            {
                continue;
            }

            state.Groups[group.Key] = group with
            {
                Count = counted ? group.Count - 1 : group.Count,
                RecentActors = [.. group.RecentActors.Where(actor => actor != actorId)],
                Changed = ++state.LastStamp,
            };
            changed = true;
        }

        return changed;
    }

    /// <summary>Keeps at most <paramref name="max"/> groups: tombstones go first, then the oldest by position.</summary>
    public static void KeepNewest(NotificationsState state, int max)
    {
        if (state.Groups.Count <= max)
        {
            return;
        }

        var dropped = state.Groups.Values
            .OrderBy(group => group.Count > 0)
            .ThenBy(group => group.Position)
            .Take(state.Groups.Count - max)
            .Select(group => group.Key)
            .ToArray();
        foreach (var key in dropped)
        {
            state.Groups.Remove(key);
            ForgetPosts(state, key);
            ForgetActors(state, key);
        }
    }

    /// <summary>Notes a group post as counted in its group; false when it was already.</summary>
    private static bool CountPost(NotificationsState state, string key, long postId)
    {
        state.GroupPosts ??= new(StringComparer.Ordinal);
        if (!state.GroupPosts.TryGetValue(key, out var posts))
        {
            state.GroupPosts[key] = posts = [];
        }

        if (posts.Contains(postId))
        {
            return false;
        }

        posts.Add(postId);
        return true;
    }

    /// <summary>Takes a counted group post out of its group; <paramref name="newest"/> is the newest left (0 when none).</summary>
    private static bool UncountPost(NotificationsState state, string key, long postId, out long newest)
    {
        newest = 0;
        if (state.GroupPosts?.GetValueOrDefault(key) is not { } posts || !posts.Remove(postId))
        {
            return false;
        }

        if (posts.Count == 0)
        {
            ForgetPosts(state, key);
        }
        else
        {
            newest = posts.Max();
        }

        return true;
    }

    /// <summary>Notes a person as counted in a group that keeps its actors; false when they were already.</summary>
    private static bool CountActor(NotificationsState state, string key, string actorId)
    {
        state.GroupActors ??= new(StringComparer.Ordinal);
        if (!state.GroupActors.TryGetValue(key, out var actors))
        {
            state.GroupActors[key] = actors = [];
        }

        if (actors.Contains(actorId))
        {
            return false;
        }

        actors.Add(actorId);
        return true;
    }

    private static void ForgetActors(NotificationsState state, string key)
    {
        if (state.GroupActors is { } groupActors && groupActors.Remove(key) && groupActors.Count == 0)
        {
            state.GroupActors = null;
        }
    }

    private static void ForgetPosts(NotificationsState state, string key)
    {
        if (state.GroupPosts is { } groupPosts && groupPosts.Remove(key) && groupPosts.Count == 0)
        {
            state.GroupPosts = null;
        }
    }

    /// <summary>
    /// Whether the owner's settings show a group: a kind switched off, a muted post, a group set to
    /// none hide it (its acts are still counted, see the grain); a group's new posts show only for a
    /// group set to all. Membership events of a group always show.
    /// </summary>
    public static bool Shown(NotificationSettings settings, NotificationGroup group)
    {
        if (settings.IsDefault)
        {
            return group.Kind != NotificationKind.NewGroupPost;
        }

        if (settings.DisabledKinds.Contains(group.Kind) || (group.Target.PostId != 0 && settings.MutedPosts.Contains(group.Target.PostId)))
        {
            return false;
        }

        var level = group.Target.GroupId is { } groupId && settings.GroupLevels.TryGetValue(groupId, out var set) ? set : GroupNotificationLevel.Mentions;
        return group.Kind switch
        {
            NotificationKind.NewGroupPost => level == GroupNotificationLevel.All,
            NotificationKind.JoinRequest or NotificationKind.JoinApproved or NotificationKind.JoinDeclined or NotificationKind.AddedToGroup => true,
            _ => level != GroupNotificationLevel.None,
        };
    }
}
