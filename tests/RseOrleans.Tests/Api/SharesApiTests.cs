using System.Text.Json;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>Shares of posts, through the API: where a post may go, what a share shows, exact counts.</summary>
[Collection(EngineCollection.Name)]
public sealed class SharesApiTests(EngineFixture engine)
{
    [Fact]
    public async Task A_profile_post_and_an_open_groups_post_are_shared_anywhere_and_the_share_shows_the_original_hydrated()
    {
        var author = await engine.CreateUserAsync("author");
        var sharer = await engine.CreateUserAsync("sharer");
        var reader = await engine.CreateUserAsync("reader");
        var open = await engine.CreateGroupAsync(author, GroupVisibility.Open);
        var closed = await engine.CreateGroupAsync(sharer, GroupVisibility.Closed);
        await engine.AddMemberAsync(author, open.GroupId, sharer);
        await engine.FollowAsync(reader, sharer);
        var profilePost = await engine.PostAsync(author, $"Profile note for @{reader} #Design");
        var groupPost = await engine.PostAsync(author, "Open group note", open.GroupId);

        var onProfile = await ShareAsync(sharer, profilePost.PostId, text: "Worth reading");
        var intoOpen = await ShareAsync(sharer, groupPost.PostId, open.GroupId);
        var intoClosed = await ShareAsync(sharer, groupPost.PostId, closed.GroupId);

        Assert.Equal("Worth reading", onProfile.Text);
        Assert.Equal("", onProfile.GroupId);
        Assert.Equal(profilePost.PostId, onProfile.SharedPost.PostId);
        Assert.Equal(profilePost.AuthorDisplayName, onProfile.SharedPost.AuthorDisplayName);
        Assert.NotEmpty(onProfile.SharedPost.AuthorDisplayName);
        Assert.Equal($"Profile note for @{reader} #Design", onProfile.SharedPost.Text);
        Assert.Equal(Assert.Single(profilePost.Mentions), Assert.Single(onProfile.SharedPost.Mentions));
        Assert.NotEmpty(onProfile.SharedPost.Mentions[0].DisplayName);
        Assert.Equal(["design"], onProfile.SharedPost.Hashtags);
        Assert.Equal(1, onProfile.SharedPost.ShareCount);
        Assert.False(onProfile.SharedPostUnavailable);
        Assert.Equal("", intoOpen.Text);
        Assert.Equal(open.GroupId, intoOpen.GroupId);
        Assert.Equal(closed.GroupId, intoClosed.GroupId);
        Assert.Equal(groupPost.PostId, intoClosed.SharedPost.PostId);
        Assert.Equal(2, intoClosed.SharedPost.ShareCount);

        // The share is a post of its own: it reaches the sharer's followers, showing the original.
        var fromFeed = Assert.Single(await engine.HomeFeedAsync(reader), item => item.Post.PostId == onProfile.PostId).Post;
        Assert.Equal(profilePost.PostId, fromFeed.SharedPost.PostId);
        Assert.True((await GetAsync(author, groupPost.PostId)).ShareCount == 2);
        Assert.Equal(0, onProfile.ShareCount);

        // Sharing a share shares its original.
        var reshare = await ShareAsync(reader, onProfile.PostId);
        Assert.Equal(profilePost.PostId, reshare.SharedPost.PostId);
        Assert.Equal(2, (await GetAsync(author, profilePost.PostId)).ShareCount);
        Assert.Equal(0, (await GetAsync(author, onProfile.PostId)).ShareCount);
    }

    [Fact]
    public async Task A_closed_or_secret_groups_post_is_shared_only_inside_its_group_and_a_post_the_caller_may_not_read_is_not_found()
    {
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var outsider = await engine.CreateUserAsync("outsider");
        var closed = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret);
        var open = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        foreach (var group in new[] { closed, secret, open })
        {
            await engine.AddMemberAsync(owner, group.GroupId, member);
        }

        foreach (var group in new[] { closed, secret })
        {
            var post = await engine.PostAsync(owner, "Members only", group.GroupId);

            var toProfile = await Assert.ThrowsAsync<RpcException>(() => ShareAsync(member, post.PostId));
            Assert.Equal(StatusCode.FailedPrecondition, toProfile.StatusCode);
            Assert.Contains("group_id", toProfile.Status.Detail, StringComparison.Ordinal);
            var toOpen = await Assert.ThrowsAsync<RpcException>(() => ShareAsync(member, post.PostId, open.GroupId));
            Assert.Equal(StatusCode.FailedPrecondition, toOpen.StatusCode);

            var inside = await ShareAsync(member, post.PostId, group.GroupId, "Look");
            Assert.Equal(post.PostId, inside.SharedPost.PostId);
            Assert.Equal(1, (await GetAsync(owner, post.PostId)).ShareCount);

            // Someone who may not read it learns nothing: as a missing id.
            var notReadable = await Assert.ThrowsAsync<RpcException>(() => ShareAsync(outsider, post.PostId));
            var missing = await Assert.ThrowsAsync<RpcException>(() => ShareAsync(outsider, "999999999999"));
            Assert.Equal(StatusCode.NotFound, notReadable.StatusCode);
            Assert.Equal(missing.StatusCode, notReadable.StatusCode);
        }

        // The posting right is the target's, as for any post.
        var profilePost = await engine.PostAsync(owner, "Hello");
        var notMember = await Assert.ThrowsAsync<RpcException>(() => ShareAsync(outsider, profilePost.PostId, closed.GroupId));
        Assert.NotEqual(StatusCode.OK, notMember.StatusCode);
        var tooLong = await Assert.ThrowsAsync<RpcException>(() => ShareAsync(member, profilePost.PostId, text: new string('x', 5001)));
        Assert.Equal(StatusCode.InvalidArgument, tooLong.StatusCode);
        Assert.Contains("text", tooLong.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_of_the_original_shows_in_the_share_and_a_delete_or_a_lost_right_hides_it()
    {
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var open = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var closed = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        await engine.AddMemberAsync(owner, closed.GroupId, member);
        var openPost = await engine.PostAsync(owner, "First draft", open.GroupId);
        var closedPost = await engine.PostAsync(owner, "Inside", closed.GroupId);
        var share = await ShareAsync(member, openPost.PostId);
        var inside = await ShareAsync(member, closedPost.PostId, closed.GroupId);

        await engine.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = openPost.PostId, Text = "Final text" }, As(owner));
        Assert.Equal("Final text", (await GetAsync(member, share.PostId)).SharedPost.Text);

        // Hidden by a moderator: gone from the share for the sharer, still there for the author.
        await engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = openPost.PostId }, As(owner));
        var hidden = await GetAsync(member, share.PostId);
        Assert.Null(hidden.SharedPost);
        Assert.True(hidden.SharedPostUnavailable);
        Assert.Equal(openPost.PostId, (await GetAsync(owner, share.PostId)).SharedPost.PostId);
        await engine.Admin.UnhidePostAsync(new UnhidePostRequest { RequestId = NewRequestId(), PostId = openPost.PostId }, As(owner));

        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = openPost.PostId }, As(owner));
        var deleted = await GetAsync(member, share.PostId);
        Assert.Null(deleted.SharedPost);
        Assert.True(deleted.SharedPostUnavailable);

        // A member removed from the group no longer reads the share inside it; those who still do see the original.
        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = closed.GroupId, UserId = member }, As(owner));
        Assert.Equal(closedPost.PostId, (await GetAsync(owner, inside.PostId)).SharedPost.PostId);
        var lost = await Assert.ThrowsAsync<RpcException>(() => GetAsync(member, inside.PostId).AsTask());
        Assert.Equal(StatusCode.PermissionDenied, lost.StatusCode);
    }

    [Fact]
    public async Task A_share_of_a_profile_post_shows_unavailable_to_a_guest_who_may_not_see_its_author()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        var sharer = await engine.CreateUserAsync("sharer");
        var guest = await engine.CreateUserAsync("guest");
        var partners = await engine.CreateGroupAsync(sharer, GroupVisibility.Closed);
        await engine.AddMemberAsync(sharer, partners.GroupId, guest);
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = guest, Role = NetworkRole.Guest }, As(admin));
        var post = await engine.PostAsync(author, "For staff");

        var share = await ShareAsync(sharer, post.PostId, partners.GroupId);

        var seenByGuest = await GetAsync(guest, share.PostId);
        Assert.Null(seenByGuest.SharedPost);
        Assert.True(seenByGuest.SharedPostUnavailable);
        Assert.Equal(post.PostId, (await GetAsync(sharer, share.PostId)).SharedPost.PostId);
    }

    [Fact]
    public async Task Share_counts_are_exact_after_retries_deletes_and_erasure()
    {
        var author = await engine.CreateUserAsync("author");
        var first = await engine.CreateUserAsync("first");
        var second = await engine.CreateUserAsync("second");
        var post = await engine.PostAsync(author, "Share me");

        // The same request twice shares once, and the retry answers the same share.
        var request = new SharePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Once" };
        var once = await engine.Posts.SharePostAsync(request, As(first));
        var again = await engine.Posts.SharePostAsync(request, As(first));
        Assert.Equal(once.PostId, again.PostId);
        Assert.Equal(post.PostId, again.SharedPost.PostId);
        Assert.Equal(1, (await GetAsync(author, post.PostId)).ShareCount);

        var other = await ShareAsync(first, post.PostId);
        var theirs = await ShareAsync(second, post.PostId);
        Assert.Equal(3, (await GetAsync(second, post.PostId)).ShareCount);

        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = other.PostId }, As(first));
        Assert.Equal(2, (await GetAsync(author, post.PostId)).ShareCount);

        var export = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest(), As(second));
        using (var json = JsonDocument.Parse(export.Json))
        {
            var exported = Assert.Single(json.RootElement.GetProperty("posts").EnumerateArray());
            Assert.Equal(theirs.PostId, exported.GetProperty("post_id").GetString());
            Assert.Equal(post.PostId, exported.GetProperty("shared_post_id").GetString());
        }

        // Erasing a sharer deletes their shares, and the count follows.
        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = second, Confirm = true }, As(second));
        Assert.Equal(1, (await GetAsync(author, post.PostId)).ShareCount);

        // Erasing the original's author leaves the shares showing it as unavailable.
        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = author, Confirm = true }, As(author));
        var orphan = await GetAsync(first, once.PostId);
        Assert.Null(orphan.SharedPost);
        Assert.True(orphan.SharedPostUnavailable);
        Assert.Equal("Once", orphan.Text);
    }

    private async Task<Post> ShareAsync(string userId, string postId, string groupId = "", string text = "") =>
        await engine.Posts.SharePostAsync(new SharePostRequest { RequestId = NewRequestId(), PostId = postId, GroupId = groupId, Text = text }, As(userId));

    private async ValueTask<Post> GetAsync(string userId, string postId) =>
        await engine.Posts.GetPostAsync(new GetPostRequest { PostId = postId }, As(userId));
}
