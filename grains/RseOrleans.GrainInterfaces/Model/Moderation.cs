namespace RseOrleans.Model;

/// <summary>Someone flagged a post, or a comment on it, for the moderators.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.ContentReport")]
public sealed record ContentReport(
    [property: Id(0)] long Sequence,
    [property: Id(1)] long PostId,
    [property: Id(2)] long? CommentId,
    [property: Id(3)] string ReporterId,
    [property: Id(4)] string Reason,
    [property: Id(5)] DateTimeOffset At);

[GenerateSerializer, Immutable]
[Alias("rse.ReportPage")]
public sealed record ReportPage([property: Id(0)] IReadOnlyList<ContentReport> Reports, [property: Id(1)] long? Next);

public static class ModerationKeys
{
    /// <summary>The moderation grain of a group's posts.</summary>
    public static string ForGroup(string groupId) => $"group:{groupId}";

    /// <summary>The moderation grain of every profile post: network admins moderate those.</summary>
    public const string Profiles = "profiles";

    public static string For(PostSnapshot post) => post.GroupId is { } groupId ? ForGroup(groupId) : Profiles;
}
