using Microsoft.Extensions.Logging;
using RseOrleans.Api.Reads;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Notifying;

/// <summary>
/// Tells people's notifications what the API just did, after the write and without the caller
/// waiting: each recipient gets one one-way call holding their acts. Recipients are checked to
/// exist (a mention of an id that names nobody stores nothing) off the caller's path, so the
/// author learns nothing about them. Who may read the target is decided when the notification is
/// read (<see cref="Hydration.NotificationReader"/>), not here: access can change in between.
/// Reactions to posts are not here: the reaction shards tell them, one call per commit.
/// </summary>
public sealed partial class NotificationProducer(IGrainFactory grains, GrainReads reads, TimeProvider clock, ILogger<NotificationProducer> logger)
{
    /// <summary>A new post: its mentions. <paramref name="before"/>, for an edit, names who was mentioned already.</summary>
    public void PostWritten(PostSnapshot post, MentionsAndTags? before = null)
    {
        var already = before?.Mentions ?? [];
        var added = post.MentionsAndTags.Mentions.Except(already, StringComparer.Ordinal).ToArray();
        if (added.Length == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var target = NotificationTarget.Post(post.PostId, post.GroupId);
        Send(added.Select(userId => (userId, new NotificationEvent(NotificationKind.Mention, target, post.AuthorId, now))), checkExists: true);
    }

    /// <summary>A new comment or reply: the post's author (or the answered comment's), and who the text mentions.</summary>
    public void CommentWritten(PostSnapshot post, CommentSnapshot comment, CommentSnapshot? answered)
    {
        var now = clock.GetUtcNow();
        var acts = new List<(string, NotificationEvent)> { ReplyAct(post, comment, answered, now, withdraw: false) };
        var commentTarget = NotificationTarget.Comment(post.PostId, comment.CommentId, post.GroupId);
        acts.AddRange(comment.MentionsAndTags.Mentions.Select(userId => (userId, new NotificationEvent(NotificationKind.Mention, commentTarget, comment.AuthorId, now))));
        Send(acts, checkExists: comment.MentionsAndTags.Mentions.Count > 0);
    }

    /// <summary>A comment deleted: its reply is taken back from the group that counted it (its mentions go with the comment at read time).</summary>
    public void CommentDeleted(PostSnapshot post, CommentSnapshot comment, CommentSnapshot? answered) =>
        Send([ReplyAct(post, comment, answered, clock.GetUtcNow(), withdraw: true)], checkExists: false);

    private static (string, NotificationEvent) ReplyAct(PostSnapshot post, CommentSnapshot comment, CommentSnapshot? answered, DateTimeOffset now, bool withdraw) =>
        answered is null
            ? (post.AuthorId, new NotificationEvent(NotificationKind.ReplyToPost, NotificationTarget.Post(post.PostId, post.GroupId), comment.AuthorId, now, withdraw))
            : (answered.AuthorId, new NotificationEvent(NotificationKind.ReplyToComment, NotificationTarget.Comment(post.PostId, answered.CommentId, post.GroupId), comment.AuthorId, now, withdraw));

    /// <summary>
    /// A reaction to a comment: counted when the reactor goes from no reaction to some, taken back
    /// when they go back to none, so the group counts people, exactly, whatever types they add.
    /// </summary>
    public void CommentReactionChanged(PostSnapshot post, CommentSnapshot comment, string reactorId, bool hadAny, bool hasAny)
    {
        if (hadAny == hasAny)
        {
            return;
        }

        var target = NotificationTarget.Comment(post.PostId, comment.CommentId, post.GroupId);
        Send([(comment.AuthorId, new NotificationEvent(NotificationKind.ReactionToComment, target, reactorId, clock.GetUtcNow(), Withdraw: hadAny))], checkExists: false);
    }

    /// <summary>A share of someone's post: its author hears of it; a deleted share takes its part back.</summary>
    public void Shared(PostSnapshot original, string sharerId, bool withdraw = false) =>
        Send([(original.AuthorId, new NotificationEvent(NotificationKind.Share, NotificationTarget.Post(original.PostId, original.GroupId), sharerId, clock.GetUtcNow(), withdraw))], checkExists: false);

    public void Followed(string followerId, string followedId) =>
        Send([(followedId, new NotificationEvent(NotificationKind.NewFollower, NotificationTarget.None, followerId, clock.GetUtcNow()))], checkExists: false);

    public void AddedToGroup(string groupId, string actorId, string userId) =>
        Send([(userId, new NotificationEvent(NotificationKind.AddedToGroup, NotificationTarget.Group(groupId), actorId, clock.GetUtcNow()))], checkExists: false);

    public void JoinDecided(string groupId, string actorId, string userId, bool approved) =>
        Send([(userId, new NotificationEvent(approved ? NotificationKind.JoinApproved : NotificationKind.JoinDeclined, NotificationTarget.Group(groupId), actorId, clock.GetUtcNow()))], checkExists: false);

    /// <summary>A request to join: every admin and owner of the group, found off the caller's path.</summary>
    public void JoinRequested(string groupId, string userId)
    {
        var act = new NotificationEvent(NotificationKind.JoinRequest, NotificationTarget.Group(groupId), userId, clock.GetUtcNow());
        Run(async () =>
        {
            var group = grains.GetGrain<IGroupGrain>(groupId);
            var admins = new List<string>();
            string? after = null;
            do
            {
                var page = await group.ListMembers(after, 500);
                admins.AddRange(page.Members.Where(member => member.Role >= GroupRole.Admin).Select(member => member.UserId));
                after = page.Next;
            }
            while (after is not null);

            await DeliverAsync(admins.Select(adminId => (adminId, act)), checkExists: false);
        });
    }

    private void Send(IEnumerable<(string Recipient, NotificationEvent Act)> acts, bool checkExists)
    {
        var list = acts.Where(pair => pair.Recipient != pair.Act.ActorId).ToArray();
        if (list.Length > 0)
        {
            Run(() => DeliverAsync(list, checkExists));
        }
    }

    private async Task DeliverAsync(IEnumerable<(string Recipient, NotificationEvent Act)> acts, bool checkExists)
    {
        foreach (var byRecipient in acts.Where(pair => pair.Recipient != pair.Act.ActorId).GroupBy(pair => pair.Recipient, StringComparer.Ordinal))
        {
            if (checkExists && await reads.GetUser(byRecipient.Key) is null)
            {
                continue;
            }

            // One way: the notifications grain never holds the writer up.
            await grains.GetGrain<INotificationsGrain>(byRecipient.Key).Apply([.. byRecipient.Select(pair => pair.Act)]);
        }
    }

    private void Run(Func<Task> work) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (Exception ex)
            {
                // A lost notification is logged, never the writer's failure: the write itself succeeded.
                LogLost(ex);
            }
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "A notification could not be delivered")]
    private partial void LogLost(Exception ex);
}
