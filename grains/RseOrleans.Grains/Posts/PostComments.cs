using RseOrleans.Model;

namespace RseOrleans.Grains.Posts;

/// <summary>
/// A post's comments as its grain serves them: threads (<see cref="CommentThreads"/>), reactions
/// (<see cref="CommentReactions"/>) and the snapshots readers get. It changes the post's state in
/// memory only; the grain writes it, logs and keeps the indexes.
/// </summary>
internal sealed class PostComments(PostState state, long postId)
{
    private CommentThreads Threads => new(state.Comments);

    private CommentReactions Reactions => state.CommentReactions;

    public CommentState? Find(long commentId) => Threads.Find(commentId);

    public CommentState Require(long commentId) => Find(commentId) ?? throw DomainException.NotFound($"Comment '{commentId}'");

    /// <summary>What a new comment answers: 0 for a top-level comment; for a reply to a reply, the top-level comment of its thread.</summary>
    public long ThreadOf(long? replyTo) =>
        replyTo is { } target ? Threads.ThreadOf(target) ?? throw DomainException.NotFound($"Comment '{target}'") : 0;

    public CommentSnapshot Snapshot(CommentState comment) =>
        Snapshot(comment, viewerId: null, comment.ReplyTo == 0 ? Threads.ReplyCounts([comment.CommentId])[comment.CommentId] : 0);

    /// <summary>The comments answering <paramref name="parentCommentId"/> (0: the top-level ones, with their reply counts), oldest first.</summary>
    public CommentPage List(string viewerId, long parentCommentId, long? after, int pageSize)
    {
        if (parentCommentId != 0)
        {
            Require(parentCommentId);
        }

        var (page, next) = Threads.Page(parentCommentId, after, pageSize);
        var replies = parentCommentId == 0 ? Threads.ReplyCounts(page.Select(c => c.CommentId)) : null;
        return new CommentPage([.. page.Select(c => Snapshot(c, viewerId, replies?.GetValueOrDefault(c.CommentId) ?? 0))], next);
    }

    public IReadOnlyList<IReadOnlyList<string>> ReplyAuthors(IReadOnlyList<long> commentIds) => Threads.ReplyAuthors(commentIds);

    /// <summary>Removes a comment with its replies and their reactions; NOT_FOUND when it is not there.</summary>
    public IReadOnlyList<CommentState> Remove(long commentId)
    {
        var removed = Threads.RemoveWithReplies(commentId);
        if (removed.Count == 0)
        {
            throw DomainException.NotFound($"Comment '{commentId}'");
        }

        Reactions.Forget(removed.Select(c => c.CommentId));
        return removed;
    }

    /// <summary>Removes an erased person's comments, the replies to them, and their reactions.</summary>
    public IReadOnlyList<CommentState> RemoveAllOf(string userId)
    {
        var removed = Threads.RemoveAllOf(userId);
        Reactions.Forget(removed.Select(c => c.CommentId));
        return removed;
    }

    /// <summary>Removes every reaction of an erased person on these comments; returns how many.</summary>
    public int EraseReactionsOf(string userId) => Reactions.Erase(userId);

    public void Clear()
    {
        state.Comments.Clear();
        state.CommentReactions = new();
    }

    public bool HasReacted(long commentId, string userId, ReactionType type) => Reactions.Of(commentId, userId).Contains(type);

    /// <summary>Adds or removes a reaction; false when it was already so.</summary>
    public bool React(long commentId, string userId, ReactionType type, bool remove) => Reactions.Apply(Require(commentId).CommentId, userId, type, remove);

    public ReactionSummary SummaryOf(long commentId, string userId) => new(Reactions.CountsOf(commentId), Reactions.Of(commentId, userId));

    public IReadOnlyList<ReactionRecord> ReactionsOf(string userId) =>
        [.. Reactions.AllOf(userId).Select(reaction => new ReactionRecord(postId, reaction.Type) { CommentId = reaction.CommentId })];

    private CommentSnapshot Snapshot(CommentState comment, string? viewerId, int replyCount) =>
        new(comment.CommentId, postId, comment.AuthorId, comment.Text, comment.CreatedAt)
        {
            MentionsAndTags = comment.MentionsAndTags ?? MentionsAndTags.None,
            ReplyToCommentId = comment.ReplyTo,
            AnsweredCommentId = comment.Answered,
            ReplyCount = replyCount,
            ReactionCounts = Reactions.CountsOf(comment.CommentId),
            MyReactions = viewerId is null ? [] : Reactions.Of(comment.CommentId, viewerId),
        };
}
