using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Reads;
using RseOrleans.Model;

namespace RseOrleans.Api.Sharing;

/// <summary>
/// Where a post may be shared: only where everyone who can see the share could see the original.
/// A profile post or an open group's post may go anywhere; a closed or secret group's post only
/// back into that group. Readers are still checked one by one at read time (a guest may not see a
/// profile post's author): the share then shows the original as unavailable to them.
/// </summary>
internal static class SharePolicy
{
    /// <summary>
    /// The post to share: <paramref name="postId"/>, or its original when it is a share. NOT_FOUND
    /// for a post the caller may not read (a closed group's too): a refused share learns nothing.
    /// </summary>
    public static async Task<PostSnapshot> RequireShareableAsync(AccessPolicy access, GrainReads reads, long postId, string caller, string? targetGroupId)
    {
        var post = await RequireReadableAsync(access, postId, caller);
        if (post.SharedPostId != 0)
        {
            post = await RequireReadableAsync(access, post.SharedPostId, caller);
        }

        if (post.GroupId is not { } originalGroupId || originalGroupId == targetGroupId)
        {
            return post;
        }

        var group = await reads.GetGroup(originalGroupId);
        return group?.Spec.Visibility == GroupVisibility.Open
            ? post
            : throw Fail.Precondition(
                $"group_id: a post of a group whose posts are for its members only can be shared only inside that group ('{originalGroupId}'), not {(targetGroupId is null ? "to a profile" : $"to group '{targetGroupId}'")}.");
    }

    private static async Task<PostSnapshot> RequireReadableAsync(AccessPolicy access, long postId, string caller)
    {
        try
        {
            return (await access.RequireShownPost(postId, caller)).Post;
        }
        catch (RpcException denied) when (denied.StatusCode == StatusCode.PermissionDenied)
        {
            throw Fail.NotFound($"Post '{postId}'");
        }
    }
}
