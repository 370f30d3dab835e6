namespace RseOrleans.Model;

/// <summary>
/// A post that enters its topics' sources: the post, who wrote it, where it was published and when.
/// Only posts every member of the network may read enter (see <see cref="TopicRules.EntersTopics"/>).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.TaggedPost")]
public sealed record TaggedPost(
    [property: Id(0)] long PostId,
    [property: Id(1)] string AuthorId,
    [property: Id(2)] SourceId Origin,
    [property: Id(3)] DateTimeOffset CreatedAt);

/// <summary>A topic someone follows, and since when.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.FollowedTopic")]
public readonly record struct FollowedTopic(
    [property: Id(0)] string Topic,
    [property: Id(1)] DateTimeOffset FollowedAt);

/// <summary>One author's newest posts in a topic, as the trending count keeps them.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.TopicAuthorPosts")]
public sealed record TopicAuthorPosts(
    [property: Id(0)] string AuthorId,
    [property: Id(1)] IReadOnlyList<TaggedPost> Posts);

/// <summary>A topic and what the trending count holds of it within a window: its authors' newest posts.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.TopicActivity")]
public sealed record TopicActivity(
    [property: Id(0)] string Topic,
    [property: Id(1)] IReadOnlyList<TopicAuthorPosts> Authors);

public static class TopicRules
{
    /// <summary>Topics a person follows at most: each one is a source their home feed merges.</summary>
    public const int MaxFollowedPerUser = 500;

    /// <summary>The trending window when the caller names none, and the longest one.</summary>
    public static readonly TimeSpan DefaultTrendingWindow = TimeSpan.FromDays(7);

    public static readonly TimeSpan MaxTrendingWindow = TimeSpan.FromDays(30);

    /// <summary>
    /// Whether a post enters its topics' sources: profile posts and open groups' posts, which every
    /// member of the network may read. A closed or secret group's post never does, so a topic's
    /// source and its followers' timelines never hold what some of them may not read; reads still
    /// check each post (guests, a group made closed later, hidden and deleted posts).
    /// </summary>
    public static bool EntersTopics(SourceId origin, GroupVisibility? groupVisibility) =>
        origin.Kind == SourceKind.User || (origin.Kind == SourceKind.Group && groupVisibility == GroupVisibility.Open);
}
