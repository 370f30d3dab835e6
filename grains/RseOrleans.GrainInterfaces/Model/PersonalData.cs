namespace RseOrleans.Model;

/// <summary>A comment a user wrote: the post it is on and its own id.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.CommentRef")]
public readonly record struct CommentRef([property: Id(0)] long PostId, [property: Id(1)] long CommentId);

/// <summary>
/// A reaction shard that may hold reactions of a user: the post and the shard number. The type is
/// read from the shard itself, which is the truth about what the user reacted with.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.ReactionRef")]
public readonly record struct ReactionRef([property: Id(0)] long PostId, [property: Id(1)] int Shard);

/// <summary>What one period of a user's content index holds.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.ContentEntries")]
public sealed record ContentEntries(
    [property: Id(0)] IReadOnlyList<long> Posts,
    [property: Id(1)] IReadOnlyList<CommentRef> Comments)
{
    public static readonly ContentEntries Empty = new([], []);

    /// <summary>Posts on whose comments the user may have reacted (see <see cref="IContentIndexGrain.NoteCommentReactions"/>).</summary>
    [Id(2)]
    public IReadOnlyList<long> CommentReactionPosts { get; init; } = [];

    /// <summary>People whose notifications hold an act of the user that nobody takes back (see <see cref="IContentIndexGrain.NoteNotified"/>).</summary>
    [Id(3)]
    public IReadOnlyList<string> NotifiedPeople { get; init; } = [];
}

/// <summary>Who a user follows, which groups they are in and which they asked to join.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.UserRelations")]
public sealed record UserRelations(
    [property: Id(0)] IReadOnlyList<string> Following,
    [property: Id(1)] IReadOnlyList<string> Groups,
    [property: Id(2)] IReadOnlyList<string> JoinRequests);

/// <summary>A user's place in one group: a membership, a pending join request, or both unset.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.UserMembership")]
public sealed record UserMembership(
    [property: Id(0)] string GroupId,
    [property: Id(1)] string GroupName,
    [property: Id(2)] GroupRole Role,
    [property: Id(3)] DateTimeOffset? JoinedAt,
    [property: Id(4)] DateTimeOffset? RequestedAt);

[GenerateSerializer, Immutable]
[Alias("rse.ReactionRecord")]
public readonly record struct ReactionRecord([property: Id(0)] long PostId, [property: Id(1)] ReactionType Type)
{
    /// <summary>The comment reacted to; 0 for a reaction to the post itself.</summary>
    [Id(2)]
    public long CommentId { get; init; }
}

/// <summary>
/// Everything the engine stores about one user and their content, as the export shows it. An
/// erased user's export has the account tombstone and nothing else.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.UserDataExport")]
public sealed record UserDataExport(
    [property: Id(0)] string UserId,
    [property: Id(1)] AccountSnapshot Account,
    [property: Id(2)] UserSnapshot? User,
    [property: Id(3)] IReadOnlyList<PostSnapshot> Posts,
    [property: Id(4)] IReadOnlyList<CommentSnapshot> Comments,
    [property: Id(5)] IReadOnlyList<ReactionRecord> Reactions,
    [property: Id(6)] IReadOnlyList<string> Following,
    [property: Id(7)] IReadOnlyList<string> Followers,
    [property: Id(8)] IReadOnlyList<UserMembership> Memberships)
{
    /// <summary>The posts the user bookmarked, oldest first, whether or not they may still read them.</summary>
    [Id(9)]
    public IReadOnlyList<Bookmark> Bookmarks { get; init; } = [];

    /// <summary>The topics the user follows, by name, and since when.</summary>
    [Id(12)]
    public IReadOnlyList<FollowedTopic> FollowedTopics { get; init; } = [];
    [Id(10)]
    public NotificationSettings NotificationSettings { get; init; } = NotificationSettings.Default;

    [Id(11)]
    public NotificationMarkers NotificationMarkers { get; init; } = NotificationMarkers.Initial;
}

/// <summary>What removing a user's content from one post did.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.PostErasure")]
public sealed record PostErasure([property: Id(0)] bool PostDeleted, [property: Id(1)] int CommentsRemoved)
{
    /// <summary>The user's reactions removed from the post's comments.</summary>
    [Id(2)]
    public int CommentReactionsRemoved { get; init; }
}

/// <summary>What removing a user from one group did.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.MemberErasure")]
public sealed record MemberErasure(
    [property: Id(0)] bool WasMember,
    [property: Id(1)] bool DroppedJoinRequest,
    [property: Id(2)] string? NewOwner);

/// <summary>
/// What one erasure call removed. A second call on an erased user removes only what an
/// interrupted first call left, usually nothing.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.ErasureReport")]
public sealed record ErasureReport(
    [property: Id(0)] DateTimeOffset ErasedAt,
    [property: Id(1)] bool AlreadyErased,
    [property: Id(2)] int PostsDeleted,
    [property: Id(3)] int CommentsDeleted,
    [property: Id(4)] int ReactionsRemoved,
    [property: Id(5)] int FollowingRemoved,
    [property: Id(6)] int FollowersRemoved,
    [property: Id(7)] int MembershipsRemoved,
    [property: Id(8)] int JoinRequestsDropped,
    [property: Id(9)] int OwnershipsTransferred);
