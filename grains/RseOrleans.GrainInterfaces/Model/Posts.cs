namespace RseOrleans.Model;

[GenerateSerializer]
public enum ReactionType
{
    Like = 1,
    Celebrate = 2,
    Support = 3,
    Insightful = 4,
    Curious = 5,
}

/// <summary>A post to publish; <paramref name="Request"/> is the key of the API request that asks for it (0: none), so that a retry finds it.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.NewPost")]
public sealed record NewPost(
    [property: Id(0)] string AuthorId,
    [property: Id(1)] string Text,
    [property: Id(2)] ulong Request = 0)
{
    /// <summary>The post this one shares (0: not a share); the API has checked that it may be shared here.</summary>
    [Id(3)]
    public long SharedPostId { get; init; }
}

/// <summary>A post as one viewer sees it: content, exact counts, and the viewer's own reactions.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.PostSnapshot")]
public sealed record PostSnapshot(
    [property: Id(0)] long PostId,
    [property: Id(1)] string AuthorId,
    [property: Id(2)] SourceId Source,
    [property: Id(3)] string Text,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt,
    [property: Id(6)] int CommentCount,
    [property: Id(7)] IReadOnlyDictionary<ReactionType, int> ReactionCounts,
    [property: Id(8)] IReadOnlyList<ReactionType> MyReactions,
    [property: Id(9)] int ReactionShards)
{
    public string? GroupId => Source.Kind == SourceKind.Group ? Source.Id : null;

    /// <summary>Who and which topics the text names, parsed when it was written.</summary>
    [Id(10)]
    public MentionsAndTags MentionsAndTags { get; init; } = MentionsAndTags.None;

    /// <summary>The post this one shares, shown at read time as the viewer sees it; 0 when it is not a share.</summary>
    [Id(20)]
    public long SharedPostId { get; init; }

    /// <summary>Exact: the shares of this post created minus those deleted or erased.</summary>
    [Id(21)]
    public int ShareCount { get; init; }

    /// <summary>
    /// The reaction shards holding a reaction now, one bit each, as the shards last told the post:
    /// a viewer whose shard holds none has no reaction of their own to ask for.
    /// </summary>
    [Id(22)]
    public int ReactedShards { get; init; }

    /// <summary>Whether <paramref name="viewerId"/>'s reaction shard may hold reactions of theirs.</summary>
    public bool MayHoldReactionsOf(string viewerId) =>
        ReactedShards != 0 && (ReactedShards & (1 << Grains.ReactionShards.ShardOf(viewerId, ReactionShards))) != 0;
}

[GenerateSerializer, Immutable]
[Alias("rse.CommentSnapshot")]
public sealed record CommentSnapshot(
    [property: Id(0)] long CommentId,
    [property: Id(1)] long PostId,
    [property: Id(2)] string AuthorId,
    [property: Id(3)] string Text,
    [property: Id(4)] DateTimeOffset CreatedAt)
{
    /// <summary>Who and which topics the text names, parsed when it was written.</summary>
    [Id(5)]
    public MentionsAndTags MentionsAndTags { get; init; } = MentionsAndTags.None;

    private static readonly IReadOnlyDictionary<ReactionType, int> NoReactions = new Dictionary<ReactionType, int>();

    /// <summary>The top-level comment this reply answers; 0 for a top-level comment.</summary>
    [Id(9)]
    public long ReplyToCommentId { get; init; }

    /// <summary>Exact counts, one entry per type that has any.</summary>
    [Id(10)]
    public IReadOnlyDictionary<ReactionType, int> ReactionCounts { get; init; } = NoReactions;

    /// <summary>The viewer's own reactions to the comment; empty where no viewer was named.</summary>
    [Id(11)]
    public IReadOnlyList<ReactionType> MyReactions { get; init; } = [];

    /// <summary>How many replies answer it (0 for a reply).</summary>
    [Id(12)]
    public int ReplyCount { get; init; }

    /// <summary>The comment its author answered: <see cref="ReplyToCommentId"/>, or a reply in that thread; 0 for a top-level comment.</summary>
    [Id(13)]
    public long AnsweredCommentId { get; init; }
}

[GenerateSerializer, Immutable]
[Alias("rse.CommentPage")]
public sealed record CommentPage([property: Id(0)] IReadOnlyList<CommentSnapshot> Comments, [property: Id(1)] long? Next);

/// <summary>The reactions on a post after a change, as the reacting user sees them.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.ReactionSummary")]
public sealed record ReactionSummary(
    [property: Id(0)] IReadOnlyDictionary<ReactionType, int> Counts,
    [property: Id(1)] IReadOnlyList<ReactionType> MyReactions);

/// <summary>One user's reaction change, among those a caller sends a shard in one call.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.ReactionChange")]
public sealed record ReactionChange(
    [property: Id(0)] string UserId,
    [property: Id(1)] ReactionType Type,
    [property: Id(2)] bool Remove);
