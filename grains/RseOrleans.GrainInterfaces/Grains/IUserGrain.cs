using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// A person's profile and the people they follow: the owner of follows. Their groups and join
/// requests here are copies derived from the groups, which own membership.
/// Key: the user id.
/// </summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the user; ALREADY_EXISTS when it exists (the API answers retries, see <see cref="IRequestLedgerGrain"/>).</summary>
    Task<UserSnapshot> Create(UserProfile profile);

    /// <summary>Creates the user with a network role from the start (a guest signing in for the first time).</summary>
    Task<UserSnapshot> CreateAs(UserProfile profile, NetworkRole role);

    [AlwaysInterleave]
    Task<UserSnapshot?> Get();

    Task<UserSnapshot> Update(UserProfile values, ProfileFields fields);

    /// <summary>Follows another existing user; returns false when already following.</summary>
    Task<bool> Follow(string targetUserId);

    /// <summary>Stops following; returns false when not following.</summary>
    Task<bool> Unfollow(string targetUserId);

    [AlwaysInterleave]
    Task<IdPage> ListFollowing(string? after, int pageSize);

    /// <summary>
    /// Told by the person's bookmarks or notifications grain before it first stores anything, so
    /// that the account stops answering "none" for it. Idempotent.
    /// </summary>
    Task NoteHolding(PersonalHoldings holdings);

    /// <summary>Whether the user exists, their network role and whether they may call the engine.</summary>
    [AlwaysInterleave]
    Task<AccountSnapshot> GetAccount();

    /// <summary>
    /// Takes one write from the user's allowance: null when granted, else how long until the next
    /// one. The bucket lives here, in the one activation of the user in the cluster, so the limit
    /// holds whichever silo the calls come through; it is not stored (a reactivation starts full).
    /// </summary>
    [AlwaysInterleave]
    Task<TimeSpan?> TakeWriteAllowance(WriteAllowance allowance);

    /// <summary>Sets the network role; the API has checked that the actor is a network admin. The request id keys the audit entry.</summary>
    Task<AccountSnapshot> SetNetworkRole(NetworkRole role, string actorId, string requestId);

    /// <summary>
    /// Deactivates or reactivates the account; the API has checked that the actor is a network
    /// admin. Deactivating tells the user's open live watches at once.
    /// </summary>
    Task<AccountSnapshot> SetStatus(AccountStatus status, string actorId, string requestId);

    /// <summary>
    /// Called by a group grain when the user joins or leaves it, before the change returns, so
    /// that who shares a group with whom (what a guest may see) is known without asking every group.
    /// </summary>
    Task NoteMembership(string groupId, bool isMember);

    /// <summary>The groups the user is a member of.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyCollection<string>> GetGroupIds();

    /// <summary>
    /// Called by a group grain when the user asks to join it (before the request is saved) and
    /// when the request is declined or withdrawn, so that erasing the user finds every request.
    /// Refused for an erased user. An approved request ends with <see cref="NoteMembership"/>.
    /// </summary>
    Task NoteJoinRequest(string groupId, bool pending);

    /// <summary>Who the user follows, their groups and their pending join requests.</summary>
    [AlwaysInterleave]
    Task<UserRelations> GetRelations();

    /// <summary>
    /// First step of erasure: the profile is gone and the account is a tombstone from now on
    /// (every call of the user is refused, their live watches end). Follows and memberships stay
    /// listed until they are undone. Returns false when the user was erased already.
    /// </summary>
    Task<bool> MarkErased();

    /// <summary>Unfollows everyone the erased user follows; returns how many.</summary>
    Task<int> DropFollowing();

    /// <summary>Last step of erasure: forgets whatever is left besides the tombstone; returns when the user was erased.</summary>
    Task<DateTimeOffset> CompleteErasure();

    /// <summary>
    /// Sets the copies derived from this user's follows right (the followed sources' audiences and
    /// the user's feed subscriptions), drops followers who no longer follow the user from the
    /// profile's audience, and brings the user's group list and join requests in line with what
    /// each group answers.
    /// </summary>
    Task<RepairReport> RepairDerivedCopies();
}
