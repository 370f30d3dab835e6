using RseOrleans.Api.Errors;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Access;

/// <summary>
/// Who may see and publish what. Every read path asks here; the rules in one place:
/// a secret group and its content do not exist for non-members (NOT_FOUND, as for a missing id);
/// a closed group is visible but its content is for members (PERMISSION_DENIED);
/// an open group is readable by everyone; posting needs membership and respects the posting policy.
/// Membership management itself is checked by the group grain, where the roles live.
/// </summary>
public sealed class AccessPolicy(IGrainFactory grains)
{
    public Task<GroupAccess> GetGroupAccess(string groupId, string userId) =>
        grains.GetGrain<IGroupGrain>(groupId).GetAccess(userId);

    public async Task<GroupAccess> RequireVisibleGroup(string groupId, string userId)
    {
        var access = await GetGroupAccess(groupId, userId);
        return access.IsVisible ? access : throw Fail.NotFound($"Group '{groupId}'");
    }

    public async Task<GroupAccess> RequireReadableGroup(string groupId, string userId)
    {
        var access = await RequireVisibleGroup(groupId, userId);
        return access.CanReadContent
            ? access
            : throw Fail.Denied($"Only members read group '{groupId}'; ask to join it.");
    }

    public async Task RequirePostingRight(string groupId, string userId)
    {
        var access = await RequireVisibleGroup(groupId, userId);
        if (!access.IsMember)
        {
            throw Fail.Denied($"Only members post in group '{groupId}'; join it first.");
        }

        if (access.PostingPolicy == PostingPolicy.AdminsOnly && !access.IsAdmin)
        {
            throw Fail.Denied($"Group '{groupId}' is an announcement channel: only its owners and admins post.");
        }
    }

    /// <summary>A live post the user may read, with their access to its group (null for a profile post).</summary>
    public async Task<(PostSnapshot Post, GroupAccess? Group)> RequireReadablePost(long postId, string userId)
    {
        var post = await grains.GetGrain<IPostGrain>(postId).Get(userId) ?? throw Fail.NotFound($"Post '{postId}'");
        if (post.GroupId is not { } groupId)
        {
            return (post, null);
        }

        var access = await GetGroupAccess(groupId, userId);
        if (!access.IsVisible)
        {
            throw Fail.NotFound($"Post '{postId}'");
        }

        return access.CanReadContent
            ? (post, access)
            : throw Fail.Denied($"Only members of group '{groupId}' read its posts.");
    }

    /// <summary>Network admins run accounts and roles; everyone else is refused, saying who may.</summary>
    public static void RequireNetworkAdmin(Identity.Caller caller, string what)
    {
        if (!caller.IsNetworkAdmin)
        {
            throw Fail.Denied($"Only network admins {what}.");
        }
    }

    /// <summary>Moderators, admins and owners of a post's group moderate it; a profile post has no moderators yet.</summary>
    public static bool CanModerate(GroupAccess? group) => group?.IsModerator == true;
}
