using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// A group or community: its settings, members, roles and join requests. Key: the group id.
/// Membership changes are checked here, where the roles live, so they are atomic.
/// </summary>
public interface IGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the group; its creator calling again with the same request id gets it back, anyone
    /// else ALREADY_EXISTS. The other request ids of this interface key audit entries.
    /// </summary>
    Task<GroupSnapshot> Create(string creatorId, GroupSpec spec, string requestId);

    [AlwaysInterleave]
    Task<GroupSnapshot?> Get();

    [AlwaysInterleave]
    Task<GroupAccess> GetAccess(string userId);

    /// <summary>Open group: joins at once. Closed group: files a request. Secret group: not found.</summary>
    Task<JoinOutcome> Join(string userId);

    Task Leave(string userId);

    Task<GroupMember> ApproveJoinRequest(string actorId, string userId, string requestId);

    Task DeclineJoinRequest(string actorId, string userId, string requestId);

    [AlwaysInterleave]
    Task<IReadOnlyList<JoinRequest>> ListJoinRequests(string actorId);

    Task<GroupMember> AddMember(string actorId, string userId, string requestId);

    /// <summary>
    /// Adds many members at once, as a directory sync does, with one state write for the batch;
    /// members already in the group are left as they are.
    /// </summary>
    Task<int> AddMembers(string actorId, IReadOnlyCollection<string> userIds, string requestId);

    Task RemoveMember(string actorId, string userId, string requestId);

    Task<GroupMember> SetRole(string actorId, string userId, GroupRole role, string requestId);

    [AlwaysInterleave]
    Task<MemberPage> ListMembers(string? after, int pageSize);

    /// <summary>
    /// The ids of every member: what the group's source derives its audience from when it
    /// activates (a member list stored twice would be rewritten whole at every join).
    /// </summary>
    [AlwaysInterleave]
    Task<string[]> GetMemberIds();

    /// <summary>The user's membership or pending join request, or null when they have neither.</summary>
    [AlwaysInterleave]
    Task<UserMembership?> GetMembershipOf(string userId);

    /// <summary>
    /// Removes an erased user: their join request, their membership and their name as the
    /// group's creator. When they were its last owner, the remaining member of highest role who
    /// joined first becomes owner. The API has checked that the actor may erase the user.
    /// </summary>
    Task<MemberErasure> EraseMember(string userId, string actorId, string requestId);

    /// <summary>
    /// Whether each author may post here, as the group's source asks before it publishes: null for
    /// an author who may, else the refusal (NOT_FOUND where the group is secret to them). The group
    /// owns membership and roles, so the posting right is decided here and nowhere else.
    /// </summary>
    [AlwaysInterleave]
    Task<PostingRefusal?[]> CheckPostingRight(string[] authorIds);

    /// <summary>
    /// Sets the copies derived from this group's members right: the group source's audience, and
    /// each member's (and former member's) feed subscription and group list.
    /// </summary>
    Task<RepairReport> RepairDerivedCopies();
}
