using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>One post with its comments and reactions. Key: the post id (time-ordered).</summary>
public interface IPostGrain : IGrainWithIntegerKey
{
    /// <summary>Called once by the post's source; a second call with the same draft changes nothing.</summary>
    Task<PostSnapshot> Create(string authorId, SourceId source, string text);

    /// <summary>The post as <paramref name="viewerId"/> sees it, or null when missing or deleted.</summary>
    [AlwaysInterleave]
    Task<PostSnapshot?> Get(string viewerId);

    Task<PostSnapshot> Edit(string actorId, string text);

    /// <summary>Deletes the post; the caller has already checked that the actor may.</summary>
    Task Delete(string actorId);

    /// <remarks><paramref name="request"/>: the key of the API request that asks for it (0: none); a retry of a comment stored late gets that comment back.</remarks>
    Task<CommentSnapshot> AddComment(string authorId, string text, ulong request);

    [AlwaysInterleave]
    Task<CommentSnapshot?> GetComment(long commentId);

    [AlwaysInterleave]
    Task<CommentPage> ListComments(long? after, int pageSize);

    /// <summary>The author of each comment of the post, in order: what a count of the comments a viewer may see needs.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetCommentAuthors();

    /// <summary>Deletes a comment; the caller has already checked that the actor may.</summary>
    Task DeleteComment(string actorId, long commentId);

    /// <summary>
    /// Removes an erased user's content from this post: the whole post when they wrote it (as
    /// a delete, leaving no trace of the author), otherwise their comments.
    /// </summary>
    Task<PostErasure> EraseContentOf(string userId);

    /// <summary>
    /// Called by a reaction shard once its changes are durable; returns the post's totals. The
    /// post keeps the shard totals in memory and reads them back from the shards when it activates.
    /// </summary>
    Task<IReadOnlyDictionary<ReactionType, int>> ReportReactionCounts(int shard, IReadOnlyDictionary<ReactionType, int> counts);
}
