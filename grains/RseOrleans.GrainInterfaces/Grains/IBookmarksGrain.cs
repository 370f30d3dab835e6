using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// The posts one person bookmarked: the owner of bookmarks. It knows post ids only; the API checks
/// that a post may be read before it is bookmarked, and again each time the list is read, so a post
/// deleted, hidden or no longer readable leaves the list without this grain hearing of it.
/// At most <see cref="BookmarkLimits.MaxPerUser"/> bookmarks. Key: the user id. It calls nothing.
/// </summary>
public interface IBookmarksGrain : IGrainWithStringKey
{
    /// <summary>Bookmarks a post; false when it was bookmarked already. FAILED_PRECONDITION past the limit.</summary>
    Task<bool> Add(long postId);

    /// <summary>Removes a bookmark; false when the post was not bookmarked.</summary>
    Task<bool> Remove(long postId);

    /// <summary>
    /// Bookmarks newest first, strictly before the bookmark whose sequence is <paramref name="before"/>
    /// when given, as feed references: the cursor is the bookmark's sequence.
    /// </summary>
    [AlwaysInterleave]
    Task<FeedRefPage> ReadBefore(long? before, int count);

    /// <summary>Which of <paramref name="postIds"/> are bookmarked.</summary>
    [AlwaysInterleave]
    Task<IReadOnlySet<long>> BookmarkedAmong(IReadOnlyCollection<long> postIds);

    /// <summary>Drops the bookmarks of posts that are gone for good (deleted), found by a reader of the list.</summary>
    Task Forget(IReadOnlyCollection<long> postIds);

    /// <summary>Every bookmark, oldest first: for the person's data export.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<Bookmark>> GetAll();

    /// <summary>Erasure: forgets every bookmark and removes the stored state; returns how many there were.</summary>
    Task<int> Clear();
}
