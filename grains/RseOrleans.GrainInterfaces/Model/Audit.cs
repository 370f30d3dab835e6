namespace RseOrleans.Model;

/// <summary>
/// One moderation or admin action, as the grain or service that performed it reports it.
/// <see cref="Key"/> names the request (operation, actor, request id): a retry reports the same
/// key and the log keeps the action once.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.AuditRecord")]
public sealed record AuditRecord(
    [property: Id(0)] string Key,
    [property: Id(1)] string ActorId,
    [property: Id(2)] string Action,
    [property: Id(3)] string TargetId,
    [property: Id(4)] string? GroupId,
    [property: Id(5)] string Detail);

[GenerateSerializer, Immutable]
[Alias("rse.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] AuditRecord Record);

/// <summary>Entries newest first, and the sequence to continue before when more follow.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.AuditPage")]
public sealed record AuditPage([property: Id(0)] IReadOnlyList<AuditEntry> Entries, [property: Id(1)] long? Next);

/// <summary>The actions the audit log knows, named as the API documents them.</summary>
public static class AuditActions
{
    public const string SetNetworkRole = "set_network_role";
    public const string DeactivateUser = "deactivate_user";
    public const string ReactivateUser = "reactivate_user";
    public const string AddMember = "add_member";
    public const string RemoveMember = "remove_member";
    public const string SetMemberRole = "set_member_role";
    public const string ApproveJoinRequest = "approve_join_request";
    public const string DeclineJoinRequest = "decline_join_request";
    public const string DeletePost = "delete_post";
    public const string DeleteComment = "delete_comment";
    public const string HidePost = "hide_post";
    public const string UnhidePost = "unhide_post";
    public const string ExportUserData = "export_user_data";
    public const string EraseUser = "erase_user";
}
