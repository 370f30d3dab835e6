namespace RseOrleans.Model;

[GenerateSerializer]
public enum GroupVisibility
{
    /// <summary>Anyone finds the group, reads its posts and joins at once.</summary>
    Open = 1,

    /// <summary>Anyone finds the group; joining is a request an admin approves; posts are for members.</summary>
    Closed = 2,

    /// <summary>Only members know the group exists.</summary>
    Secret = 3,
}

[GenerateSerializer]
public enum PostingPolicy
{
    AllMembers = 1,

    /// <summary>Announcement channels: only owners and admins post.</summary>
    AdminsOnly = 2,
}

/// <summary>
/// Roles in a group, ordered by power so that a comparison says who outranks whom. The numbers
/// are not the API's (the API maps them by name), so a role can be slotted in where it belongs.
/// </summary>
[GenerateSerializer]
public enum GroupRole
{
    None = 0,
    Member = 1,

    /// <summary>Keeps the conversation civil: deletes posts and comments in the group; manages no one.</summary>
    Moderator = 2,
    Admin = 3,
    Owner = 4,
}

[GenerateSerializer]
public enum JoinOutcome
{
    Joined = 1,
    Requested = 2,
}

[GenerateSerializer, Immutable]
[Alias("rse.GroupSpec")]
public sealed record GroupSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] string Description,
    [property: Id(2)] GroupVisibility Visibility,
    [property: Id(3)] PostingPolicy PostingPolicy);

[GenerateSerializer, Immutable]
[Alias("rse.GroupSnapshot")]
public sealed record GroupSnapshot(
    [property: Id(0)] string GroupId,
    [property: Id(1)] GroupSpec Spec,
    [property: Id(2)] int MemberCount,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] DateTimeOffset CreatedAt);

/// <summary>What one user may know of a group: the answer every access decision starts from.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.GroupAccess")]
public sealed record GroupAccess(
    [property: Id(0)] bool Exists,
    [property: Id(1)] GroupVisibility Visibility,
    [property: Id(2)] PostingPolicy PostingPolicy,
    [property: Id(3)] GroupRole Role,
    [property: Id(4)] bool JoinRequested,
    [property: Id(5)] string Name)
{
    public static readonly GroupAccess Missing = new(false, GroupVisibility.Secret, PostingPolicy.AllMembers, GroupRole.None, false, "");

    public bool IsMember => Role >= GroupRole.Member;

    public bool IsModerator => Role >= GroupRole.Moderator;

    public bool IsAdmin => Role >= GroupRole.Admin;

    /// <summary>A secret group is indistinguishable from a missing one for non-members.</summary>
    public bool IsVisible => Exists && (Visibility != GroupVisibility.Secret || IsMember);

    /// <summary>Posts, comments and reactions of open groups are readable by everyone.</summary>
    public bool CanReadContent => Exists && (Visibility == GroupVisibility.Open || IsMember);
}

[GenerateSerializer, Immutable]
[Alias("rse.GroupMember")]
public sealed record GroupMember(
    [property: Id(0)] string UserId,
    [property: Id(1)] GroupRole Role,
    [property: Id(2)] DateTimeOffset JoinedAt);

[GenerateSerializer, Immutable]
[Alias("rse.MemberPage")]
public sealed record MemberPage([property: Id(0)] IReadOnlyList<GroupMember> Members, [property: Id(1)] string? Next);

[GenerateSerializer, Immutable]
[Alias("rse.JoinRequest")]
public sealed record JoinRequest([property: Id(0)] string UserId, [property: Id(1)] DateTimeOffset RequestedAt);

/// <summary>Why an author may not post in a group: the status and message the API answers with.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.PostingRefusal")]
public sealed record PostingRefusal([property: Id(0)] DomainError Error, [property: Id(1)] string Message);

/// <summary>What a repair of derived copies found: how many copies it compared with their owner, how many it set right.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.RepairReport")]
public sealed record RepairReport([property: Id(0)] int Checked, [property: Id(1)] int Fixed)
{
    public static readonly RepairReport None = new(0, 0);

    public static RepairReport operator +(RepairReport a, RepairReport b) => new(a.Checked + b.Checked, a.Fixed + b.Fixed);
}
