namespace RseOrleans.Model;

/// <summary>What a notification tells its owner. Stored: never renumber.</summary>
public enum NotificationKind
{
    Mention = 1,
    ReplyToPost = 2,
    ReplyToComment = 3,
    ReactionToPost = 4,
    ReactionToComment = 5,
    /// <summary>Someone shared my post: produced by the shares part (<see cref="NotificationEvent"/> of the share).</summary>
    Share = 6,
    NewFollower = 7,
    JoinRequest = 8,
    JoinApproved = 9,
    JoinDeclined = 10,
    AddedToGroup = 11,
    NewGroupPost = 12,
    /// <summary>One of the owner's webhooks was disabled (failures, or its endpoint answered 410 Gone); the actor is the webhook id.</summary>
    WebhookDisabled = 13,
}

public static class NotificationKinds
{
    /// <summary>
    /// Acts about a person or a group that nobody takes back (a new follower, a join request, an
    /// approval, a refusal, an addition): their groups keep the ids of the people they count, and
    /// each recipient is noted in the actor's content index before the act counts, so that erasing
    /// the actor takes them out of every count (see <c>NotificationGrouping</c>).
    /// </summary>
    public static bool KeepsActors(NotificationKind kind) =>
        kind is NotificationKind.NewFollower or NotificationKind.JoinRequest or NotificationKind.JoinApproved
            or NotificationKind.JoinDeclined or NotificationKind.AddedToGroup;
}

/// <summary>A person's notification level for one group.</summary>
public enum GroupNotificationLevel
{
    /// <summary>Mentions and answers, not every post: the default.</summary>
    Mentions = 0,
    All = 1,
    None = 2,
}

/// <summary>
/// What a notification is about: a post (with the comment, when it is about a comment), a group,
/// or nothing beyond the kind (new followers). <see cref="GroupId"/> is the group of the post or
/// the group itself: read-time visibility and group notification levels need it.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.NotificationTarget")]
public readonly record struct NotificationTarget(
    [property: Id(0)] long PostId,
    [property: Id(1)] long CommentId,
    [property: Id(2)] string? GroupId)
{
    public static NotificationTarget Post(long postId, string? groupId) => new(postId, 0, groupId);

    public static NotificationTarget Comment(long postId, long commentId, string? groupId) => new(postId, commentId, groupId);

    public static NotificationTarget Group(string groupId) => new(0, 0, groupId);

    public static readonly NotificationTarget None = new(0, 0, null);
}

/// <summary>
/// One act for one person's notifications: <paramref name="Withdraw"/> takes back an earlier one
/// (a reaction undone, a comment deleted), sent by the producer that knows the act existed.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.NotificationEvent")]
public sealed record NotificationEvent(
    [property: Id(0)] NotificationKind Kind,
    [property: Id(1)] NotificationTarget Target,
    [property: Id(2)] string ActorId,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] bool Withdraw = false);

/// <summary>A post of a group, as its notifications name it: the act's time is the post's, so a withdrawal finds its day's group.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.GroupPostNotice")]
public sealed record GroupPostNotice(
    [property: Id(0)] long PostId,
    [property: Id(1)] string AuthorId,
    [property: Id(2)] DateTimeOffset CreatedAt);

/// <summary>
/// A group of notifications of one kind about one target: its total count is exact, its actors are
/// the few most recent (newest first). <see cref="Position"/> orders the list (it moves up when the
/// group gains an act) and is its cursor; <see cref="Changed"/> moves on every change, for live watches.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.NotificationGroup")]
public sealed record NotificationGroup(
    [property: Id(0)] string Key,
    [property: Id(1)] NotificationKind Kind,
    [property: Id(2)] NotificationTarget Target,
    [property: Id(3)] long Count,
    [property: Id(4)] IReadOnlyList<string> RecentActors,
    [property: Id(5)] DateTimeOffset NewestAt,
    [property: Id(6)] long Position,
    [property: Id(7)] long Changed);

[GenerateSerializer, Immutable]
[Alias("rse.NotificationGroupPage")]
public sealed record NotificationGroupPage(
    [property: Id(0)] IReadOnlyList<NotificationGroup> Groups,
    [property: Id(1)] bool HasMore);

/// <summary>
/// Read markers, versioned together: an update names the version it was based on, so a device that
/// missed another's move cannot move a marker backwards. Notifications have two: seen (the list was
/// shown) and read (up to a position); the home feed one (a feed cursor).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.NotificationMarkers")]
public sealed record NotificationMarkers(
    [property: Id(0)] long Version,
    [property: Id(1)] long HomeFeed,
    [property: Id(2)] long NotificationsRead,
    [property: Id(3)] long NotificationsSeen,
    [property: Id(4)] DateTimeOffset UpdatedAt)
{
    public static readonly NotificationMarkers Initial = new(0, 0, 0, 0, DateTimeOffset.UnixEpoch);
}

/// <summary>A change of markers: null leaves a marker as it is.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.MarkerUpdate")]
public sealed record MarkerUpdate(
    [property: Id(0)] long ExpectedVersion,
    [property: Id(1)] long? HomeFeed,
    [property: Id(2)] long? NotificationsRead,
    [property: Id(3)] long? NotificationsSeen);

/// <summary>A person's notification settings: what is off; everything not named is on.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.NotificationSettings")]
public sealed record NotificationSettings(
    [property: Id(0)] IReadOnlyList<NotificationKind> DisabledKinds,
    [property: Id(1)] IReadOnlyDictionary<string, GroupNotificationLevel> GroupLevels,
    [property: Id(2)] IReadOnlyList<long> MutedPosts)
{
    public static readonly NotificationSettings Default = new([], new Dictionary<string, GroupNotificationLevel>(), []);

    public bool IsDefault => DisabledKinds.Count == 0 && GroupLevels.Count == 0 && MutedPosts.Count == 0;
}

/// <summary>Announced on the owner's notification stream when a group or a marker changes: a wake-up only.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.NotificationsChanged")]
public sealed record NotificationsChanged([property: Id(0)] long Changed);

public static class NotificationLimits
{
    /// <summary>Groups a person keeps: the newest by position; older ones are dropped (and no longer counted).</summary>
    public const int MaxGroups = 500;

    /// <summary>Most recent actors a group names.</summary>
    public const int RecentActors = 5;

    /// <summary>Muted posts and group levels a person keeps at most.</summary>
    public const int MaxSettingsEntries = 1_000;

    /// <summary>Stream namespace of a person's notification changes; the key is the user id.</summary>
    public const string StreamNamespace = "notifications";
}
