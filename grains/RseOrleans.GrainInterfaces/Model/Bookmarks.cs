namespace RseOrleans.Model;

/// <summary>
/// A post a person keeps: <see cref="Sequence"/> orders their bookmarks (it only grows, so it is the
/// list's cursor) and is unique among them.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.Bookmark")]
public readonly record struct Bookmark(
    [property: Id(0)] long Sequence,
    [property: Id(1)] long PostId,
    [property: Id(2)] DateTimeOffset CreatedAt);

public static class BookmarkLimits
{
    /// <summary>
    /// Bookmarks a person keeps at most: the whole set is one grain's state, read by every page a
    /// person reads, so it stays small (about 24 bytes a bookmark stored, 1,000 a few tens of KB).
    /// </summary>
    public const int MaxPerUser = 1_000;
}
