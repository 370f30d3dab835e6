using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>One post with its comments and reactions. Key: the post id (time-ordered).</summary>
public interface IPostGrain : IGrainWithIntegerKey
{
    /// <summary>Called once by the post's source; a second call with the same draft changes nothing.</summary>
    Task<PostSnapshot> Create(string authorId, SourceId source, string text);

    /// <summary>
    /// As <see cref="Create"/>, for a share of <paramref name="sharedPostId"/>: counted by the
    /// original first (NOT_FOUND when it is gone), so the count never misses a share that exists.
    /// </summary>
    Task<PostSnapshot> CreateShare(string authorId, SourceId source, string text, long sharedPostId);

    /// <summary>Counts <paramref name="shareId"/> among this post's shares; idempotent. NOT_FOUND when this post is gone.</summary>
    Task AddShare(long shareId);

    /// <summary>Stops counting <paramref name="shareId"/> (deleted or erased); idempotent.</summary>
    Task RemoveShare(long shareId);

    /// <summary>The post as <paramref name="viewerId"/> sees it, or null when missing or deleted.</summary>
    [AlwaysInterleave]
    Task<PostSnapshot?> Get(string viewerId);

    /// <summary>
    /// Answers once the engine events the post has stored are acknowledged by their registries, or
    /// under the reminder that wakes the post for them: until then its pending fan-out mark is
    /// what brings the post back after a crash. Activates the post, which resumes what it stored.
    /// </summary>
    [AlwaysInterleave]
    Task EventsSettled();

    Task<PostSnapshot> Edit(string actorId, string text);

    /// <summary>Deletes the post; the caller has already checked that the actor may.</summary>
    Task Delete(string actorId);

    /// <remarks><paramref name="request"/>: the key of the API request that asks for it (0: none); a retry of a comment stored late gets that comment back.</remarks>
    Task<CommentSnapshot> AddComment(string authorId, string text, ulong request);

    /// <summary>
    /// Answers <paramref name="replyToCommentId"/>, a comment of this post: one level of threads, so
    /// a reply to a reply answers the top-level comment of its thread. NOT_FOUND when it is not there.
    /// </summary>
    Task<CommentSnapshot> AddReply(string authorId, long replyToCommentId, string text, ulong request);

    /// <summary>The comment with its reply count and reaction counts (no viewer's reactions), or null.</summary>
    [AlwaysInterleave]
    Task<CommentSnapshot?> GetComment(long commentId);

    /// <summary>
    /// Oldest first: the top-level comments with their reply counts (<paramref name="parentCommentId"/> 0),
    /// or the replies to one (NOT_FOUND when it is not there); with <paramref name="viewerId"/>'s reactions.
    /// </summary>
    [AlwaysInterleave]
    Task<CommentPage> ListComments(string viewerId, long parentCommentId, long? after, int pageSize);

    /// <summary>The authors of the replies to each of <paramref name="commentIds"/>: what a guest's reply counts need.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<IReadOnlyList<string>>> GetReplyAuthors(IReadOnlyList<long> commentIds);

    /// <summary>
    /// Adds or removes <paramref name="userId"/>'s reaction to a comment, idempotently; answers with the
    /// comment's counts and the user's reactions. NOT_FOUND for a missing comment, PERMISSION_DENIED for an erased user.
    /// </summary>
    Task<ReactionSummary> ReactToComment(string userId, long commentId, ReactionType type, bool remove);

    /// <summary>A comment's reaction counts and <paramref name="viewerId"/>'s reactions to it, or null when it is not there.</summary>
    [AlwaysInterleave]
    Task<ReactionSummary?> GetCommentReactions(long commentId, string viewerId);

    /// <summary>The user's reactions to this post's comments: what export lists.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<ReactionRecord>> GetCommentReactionsOf(string userId);

    /// <summary>The author of each comment of the post, in order: what a count of the comments a viewer may see needs.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetCommentAuthors();

    /// <summary>Deletes a comment with its replies and their reactions; the caller has already checked that the actor may.</summary>
    Task DeleteComment(string actorId, long commentId);

    /// <summary>
    /// Removes an erased user's content from this post: the whole post when they wrote it (as
    /// a delete, leaving no trace of the author), otherwise their comments (with the replies to
    /// them, as a delete) and their reactions to comments.
    /// </summary>
    Task<PostErasure> EraseContentOf(string userId);

    /// <summary>
    /// Called by a reaction shard once its changes are durable; returns the post's totals. The
    /// post keeps the shard totals in memory and reads them back from the shards when it activates.
    /// </summary>
    Task<IReadOnlyDictionary<ReactionType, int>> ReportReactionCounts(int shard, IReadOnlyDictionary<ReactionType, int> counts);
}
