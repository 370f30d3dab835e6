using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// Where posts are written once and fanned out from: a user's profile or a group; a topic republishes
/// the posts of the others that carry its hashtag.
/// Key: <see cref="SourceId.Key"/>. It knows its audience (followers or members) and its recent posts.
/// </summary>
public interface ISourceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Writes posts, in one turn and one state write, and delivers each to every audience member's
    /// home feed; a caller batches a busy source's posts (one post is a batch of one). A retry with
    /// the same author and request id returns the first post and delivers nothing twice. One
    /// outcome per post, in the same order; a refused post, or one whose post could not be stored,
    /// does not fail the others. Throws only when the batch was not committed: then every caller
    /// retries with its request id.
    /// </summary>
    Task<BatchOutcome<PostSnapshot>[]> PublishAll([Immutable] NewPost[] posts);

    /// <summary>
    /// Finishes the fan-out of a post whose silo may have died in the middle of it: delivers it again
    /// to every audience member (deliveries are idempotent) and marks it complete.
    /// </summary>
    Task ResumeFanout(long postId);

    /// <summary>
    /// A topic's source: republishes posts that carry its hashtag, already published by their own
    /// source, to the topic's followers (pushed or pulled as for any source). A post it holds
    /// already is ignored, so publishing it again changes nothing. Refused by other sources.
    /// </summary>
    Task AddTagged([Immutable] TaggedPost[] posts);

    /// <summary>
    /// Adds followers or members, with one state write however many (none for a group: the group
    /// stores its members); returns the recent post ids their feeds should show.
    /// </summary>
    Task<IReadOnlyList<long>> AddAudience(IReadOnlyCollection<string> userIds);

    Task RemoveAudience(string userId);

    /// <summary>
    /// Closes the profile source of an erased user: it forgets its recent posts and refuses new
    /// followers from now on (the current ones are removed one by one).
    /// </summary>
    Task Close();

    [AlwaysInterleave]
    Task<int> GetAudienceCount();

    [AlwaysInterleave]
    Task<IdPage> ListAudience(string? after, int pageSize);

    /// <summary>Recent post ids, newest first, strictly older than <paramref name="before"/> when given.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<long>> GetRecent(long? before, int count);
}
