namespace RseOrleans.Search;

/// <summary>
/// The search index: a derived copy of posts, comments, people and groups, rebuildable from the
/// grains that own them. It finds candidates and ranks them; it decides nothing about who may see
/// what: the API checks every candidate against the live visibility rules before showing it, so
/// a hide or a membership change needs no write here. Every engine passes the conformance suite
/// (tests/RseOrleans.Tests/Search/SearchIndexConformance.cs).
/// </summary>
/// <remarks>Any member may throw <see cref="SearchUnavailableException"/> when the engine is away.</remarks>
public interface ISearchIndex
{
    /// <summary>Adds or replaces a post (an edit is the same call).</summary>
    Task IndexPostAsync(IndexedPost post, CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces a comment or reply.</summary>
    Task IndexCommentAsync(IndexedComment comment, CancellationToken cancellationToken = default);

    /// <summary>Removes a post and every comment indexed under it.</summary>
    Task RemovePostAsync(long postId, CancellationToken cancellationToken = default);

    Task RemoveCommentAsync(long postId, long commentId, CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces a person's profile.</summary>
    Task IndexPersonAsync(IndexedPerson person, CancellationToken cancellationToken = default);

    /// <summary>An erasure: the person and every post and comment they wrote.</summary>
    Task RemovePersonAndContentAsync(string userId, CancellationToken cancellationToken = default);

    Task IndexGroupAsync(IndexedGroup group, CancellationToken cancellationToken = default);

    /// <summary>Posts and comments matching the query, best first (relevance and recency together).</summary>
    Task<IReadOnlyList<ContentHit>> SearchContentAsync(ContentQuery query, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// <paramref name="hits"/> of <paramref name="query"/>, in the same order, with their
    /// highlights: a search that ranks more hits than its page shows asks for them without
    /// (<see cref="ContentQuery.Highlighted"/> false), then highlights only those shown. An engine
    /// may highlight as it searches anyway and give the hits back as they are.
    /// </summary>
    Task<IReadOnlyList<ContentHit>> HighlightAsync(ContentQuery query, IReadOnlyList<ContentHit> hits, CancellationToken cancellationToken = default);

    /// <summary>People matching the query, best first.</summary>
    Task<IReadOnlyList<string>> SearchPeopleAsync(PeopleQuery query, int limit, CancellationToken cancellationToken = default);

    /// <summary>Groups matching the query, best first.</summary>
    Task<IReadOnlyList<string>> SearchGroupsAsync(GroupQuery query, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// People, groups and topics whose names start with <paramref name="prefix"/>, at most
    /// <paramref name="limit"/> of each kind. A topic comes with a few recent posts that carry it,
    /// for the caller to check that the viewer may read one of them.
    /// </summary>
    Task<IReadOnlyList<IndexSuggestion>> SuggestAsync(string prefix, int limit, CancellationToken cancellationToken = default);
}

/// <summary>The engine is not there (closed, broken, unreachable): the caller answers UNAVAILABLE.</summary>
public sealed class SearchUnavailableException : Exception
{
    public SearchUnavailableException()
    {
    }

    public SearchUnavailableException(string message)
        : base(message)
    {
    }

    public SearchUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A post as the index keeps it. <see cref="Language"/> is "fr", "en" or null to guess from the text.</summary>
public sealed record IndexedPost(
    long PostId,
    string AuthorId,
    string? GroupId,
    string Text,
    DateTimeOffset CreatedAt,
    string? Language,
    IReadOnlyList<string> Hashtags,
    IReadOnlyList<string> Mentions);

public sealed record IndexedComment(
    long PostId,
    long CommentId,
    string AuthorId,
    string? GroupId,
    string Text,
    DateTimeOffset CreatedAt,
    string? Language,
    IReadOnlyList<string> Hashtags,
    IReadOnlyList<string> Mentions);

public sealed record IndexedPerson(
    string UserId,
    string DisplayName,
    string Title,
    string Department,
    string Location,
    string Language,
    IReadOnlyList<string> Skills);

/// <summary>A group of the directory; <see cref="Visibility"/> is "open", "closed" or "secret".</summary>
public sealed record IndexedGroup(string GroupId, string Name, string Description, string Visibility);

/// <summary>
/// What a post search asks: every word and phrase must match (in any language form), none of the
/// excluded ones may; the other members narrow the result when set.
/// </summary>
public sealed record ContentQuery
{
    /// <summary>Whether hits come with their highlight; when false, they may come without (see <see cref="ISearchIndex.HighlightAsync"/>).</summary>
    public bool Highlighted { get; init; } = true;

    public IReadOnlyList<string> Words { get; init; } = [];

    public IReadOnlyList<string> Phrases { get; init; } = [];

    public IReadOnlyList<string> Excluded { get; init; } = [];

    public string? AuthorId { get; init; }

    public string? GroupId { get; init; }

    public IReadOnlyList<string> Hashtags { get; init; } = [];

    public string? Mentions { get; init; }

    /// <summary>Written strictly before this instant.</summary>
    public DateTimeOffset? Before { get; init; }

    /// <summary>Written at or after this instant.</summary>
    public DateTimeOffset? After { get; init; }

    public bool HasLink { get; init; }

    /// <summary>Only these posts (and their comments) when set: a person's bookmarks.</summary>
    public IReadOnlySet<long>? AmongPosts { get; init; }

    /// <summary>
    /// When set, only the content its reader could read by group: see <see cref="ContentScope"/>.
    /// A narrowing for fuller pages, not a permission: the API checks every hit live anyway.
    /// </summary>
    public ContentScope? Scope { get; init; }
}

/// <summary>
/// The groups whose content a reader may read, as the index knows them: profile posts, the
/// content of <see cref="MemberGroups"/>, and, when <see cref="OpenGroups"/>, that of every group
/// the index holds as open. A group the index does not hold yet counts as not open.
/// </summary>
public sealed record ContentScope(IReadOnlySet<string> MemberGroups, bool OpenGroups);

/// <summary>
/// A post (<see cref="CommentId"/> 0) or a comment that matched; <see cref="IndexedText"/> is the
/// text the index holds, so that the caller can tell a stale entry from the live text.
/// <see cref="Highlight"/> marks the matching words between « and ».
/// </summary>
public sealed record ContentHit(long PostId, long CommentId, string AuthorId, string? GroupId, string IndexedText, string Highlight);

/// <summary>Words over the whole profile, and filters matched exactly (case and accents ignored).</summary>
public sealed record PeopleQuery
{
    public string Text { get; init; } = "";

    public string? Title { get; init; }

    public string? Department { get; init; }

    public string? Location { get; init; }

    public string? Language { get; init; }

    public string? Skill { get; init; }
}

public sealed record GroupQuery(string Text, string? Visibility)
{
    /// <summary>Only these groups when set: the ones a person has joined.</summary>
    public IReadOnlySet<string>? AmongGroups { get; init; }
}

public enum SuggestionKind
{
    Person = 1,
    Group = 2,
    Topic = 3,
}

/// <summary>One typeahead entry; <see cref="RecentPosts"/> only for a topic, newest first.</summary>
public sealed record IndexSuggestion(SuggestionKind Kind, string Id, string Label, IReadOnlyList<RecentPost> RecentPosts);

/// <summary>A topic's recent post, with where it was written, so that who may read it is known without loading it.</summary>
public sealed record RecentPost(long PostId, string AuthorId, string? GroupId);

/// <summary>
/// Rebuilds the whole index from the owners of what it copies (durable mode: the activity log and
/// the people and group grains). The embedded engine has none: it is filled again as it is written.
/// </summary>
public interface ISearchRebuild
{
    Task<SearchRebuildReport> RebuildAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a rebuild put back: people and groups read from their grains, activities replayed from the log.</summary>
public sealed record SearchRebuildReport(int People, int Groups, long Activities);
