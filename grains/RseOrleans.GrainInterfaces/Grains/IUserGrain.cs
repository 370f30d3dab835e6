using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>A person's profile and the people they follow. Key: the user id.</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the user; a retry with the same request id returns the same user.</summary>
    Task<UserSnapshot> Create(UserProfile profile, string requestId);

    [AlwaysInterleave]
    Task<UserSnapshot?> Get();

    Task<UserSnapshot> Update(UserProfile values, ProfileFields fields, string requestId);

    /// <summary>Follows another existing user; returns false when already following.</summary>
    Task<bool> Follow(string targetUserId, string requestId);

    /// <summary>Stops following; returns false when not following.</summary>
    Task<bool> Unfollow(string targetUserId, string requestId);

    [AlwaysInterleave]
    Task<IdPage> ListFollowing(string? after, int pageSize);
}
