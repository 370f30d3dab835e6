using RseOrleans.Grains.Posts;
using RseOrleans.Model;

namespace RseOrleans.Grains.Notifications;

/// <summary>
/// What an erased person's acts on one post counted in other people's notifications, so that the
/// post, which owns those acts, takes them back once the erasure is written: their reactions to
/// comments (one per comment, as counted), their comments and replies (as a delete takes them
/// back), and, for their own share, the share. Reactions to posts are taken back by the reaction
/// shards (<c>EraseUser</c>); their own posts' mentions and every group about their deleted posts
/// are left out when read. Sent one way, after the write: a retried erasure finds nothing to send.
/// </summary>
internal static class ErasedActs
{
    public static async Task<IReadOnlyList<(string Recipient, NotificationEvent Act)>> OnPostAsync(
        IGrainFactory grains, PostState post, long postId, string erasedId, PostComments comments, DateTimeOffset at)
    {
        var groupId = post.Source.Kind == SourceKind.Group ? post.Source.Id : null;
        var acts = new List<(string Recipient, NotificationEvent Act)>();
        foreach (var commentId in comments.ReactionsOf(erasedId).Select(reaction => reaction.CommentId).Distinct())
        {
            if (comments.Find(commentId) is { } comment)
            {
                acts.Add((comment.AuthorId, Withdrawal(NotificationKind.ReactionToComment, NotificationTarget.Comment(postId, commentId, groupId), erasedId, at)));
            }
        }

        if (post.AuthorId != erasedId)
        {
            foreach (var comment in post.Comments.Where(comment => comment.AuthorId == erasedId))
            {
                if (comment.Answered == 0)
                {
                    acts.Add((post.AuthorId!, Withdrawal(NotificationKind.ReplyToPost, NotificationTarget.Post(postId, groupId), erasedId, at)));
                }
                else if (comments.Find(comment.Answered) is { } answered)
                {
                    acts.Add((answered.AuthorId, Withdrawal(NotificationKind.ReplyToComment, NotificationTarget.Comment(postId, answered.CommentId, groupId), erasedId, at)));
                }
            }
        }
        else if (!post.Deleted && post.SharedPostId != 0 && await grains.GetGrain<IPostGrain>(post.SharedPostId).Get(viewerId: "") is { } original)
        {
            acts.Add((original.AuthorId, Withdrawal(NotificationKind.Share, NotificationTarget.Post(original.PostId, original.GroupId), erasedId, at)));
        }

        return [.. acts.Where(act => act.Recipient != erasedId)];
    }

    public static Task WithdrawAsync(IGrainFactory grains, IReadOnlyList<(string Recipient, NotificationEvent Act)> acts) =>
        Task.WhenAll(acts.GroupBy(act => act.Recipient, StringComparer.Ordinal)
            .Select(byRecipient => grains.GetGrain<INotificationsGrain>(byRecipient.Key).Apply([.. byRecipient.Select(act => act.Act)])));

    private static NotificationEvent Withdrawal(NotificationKind kind, NotificationTarget target, string actorId, DateTimeOffset at) =>
        new(kind, target, actorId, at, Withdraw: true);
}
