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

    Task<PostSnapshot> Edit(string actorId, string text, string requestId);

    /// <summary>Deletes the post; the caller has already checked that the actor may.</summary>
    Task Delete(string actorId, string requestId);

    Task<CommentSnapshot> AddComment(string authorId, string text, string requestId);

    [AlwaysInterleave]
    Task<CommentSnapshot?> GetComment(long commentId);

    [AlwaysInterleave]
    Task<CommentPage> ListComments(long? after, int pageSize);

    /// <summary>Deletes a comment; the caller has already checked that the actor may.</summary>
    Task DeleteComment(string actorId, long commentId, string requestId);

    Task<ReactionSummary> AddReaction(string userId, ReactionType type, string requestId);

    Task<ReactionSummary> RemoveReaction(string userId, ReactionType type, string requestId);
}
