using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Auth;

[Collection(EngineCollection.Name)]
public sealed class GuestAccessTests(EngineFixture engine)
{
    [Fact]
    public async Task Guests_see_only_the_groups_they_were_invited_to_and_the_people_in_them()
    {
        var n = await NetworkWithAGuestAsync();
        var me = As(n.Guest);

        // The invited group and everything in it.
        Assert.Equal(n.Invited.GroupId, (await engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = n.Invited.GroupId }, me)).GroupId);
        Assert.Contains((await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = n.Invited.GroupId }, me)).Items, item => item.Post.PostId == n.InvitedPost.PostId);
        Assert.Equal(n.CoMember, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = n.CoMember }, me)).UserId);
        Assert.Contains((await engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = n.CoMember }, me)).Items, item => item.Post.PostId == n.CoMemberProfilePost.PostId);
        Assert.Equal(3, (await engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = n.Invited.GroupId }, me)).Members.Count);

        // Every other group answers as if it did not exist, whatever its visibility.
        foreach (var group in new[] { n.Open, n.Closed, n.Secret })
        {
            await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = group.GroupId }, me));
            await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId }, me));
            await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = group.GroupId }, me));
            await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, me));
        }

        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = n.OpenPost.PostId }, me));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = n.OpenPost.PostId }, me));

        // People outside the invited groups do not exist for the guest either.
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Users.GetUserAsync(new GetUserRequest { UserId = n.Outsider }, me));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = n.Outsider }, me));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = n.OutsiderProfilePost.PostId }, me));
        var followers = await engine.Users.ListFollowersAsync(new ListFollowersRequest { UserId = n.CoMember }, me);
        Assert.DoesNotContain(followers.Users, user => user.UserId == n.Outsider);
        Assert.Contains(followers.Users, user => user.UserId == n.Guest);
    }

    [Fact]
    public async Task Guests_do_not_see_comments_of_people_outside_their_groups()
    {
        var n = await NetworkWithAGuestAsync();
        var open = await engine.CreateGroupAsync(n.Owner, GroupVisibility.Open);
        await engine.AddMemberAsync(n.Owner, open.GroupId, n.Guest);
        var post = await engine.PostAsync(n.Owner, "Open to all", open.GroupId);
        foreach (var author in new[] { n.Owner, n.Outsider, n.CoMember })
        {
            await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = $"From {author}" }, As(author));
        }

        var seenByGuest = await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = post.PostId }, As(n.Guest));
        var seenByMember = await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = post.PostId }, As(n.CoMember));

        Assert.Equal([n.Owner, n.CoMember], seenByGuest.Comments.Select(c => c.AuthorId));
        Assert.Equal([n.Owner, n.Outsider, n.CoMember], seenByMember.Comments.Select(c => c.AuthorId));

        // The count they see is the count of what they may read: the post itself, and in the feed.
        Assert.Equal(2, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(n.Guest))).CommentCount);
        Assert.Equal(3, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(n.CoMember))).CommentCount);
        var guestFeed = await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 50 }, As(n.Guest));
        Assert.Equal(2, guestFeed.Items.Single(item => item.Post.PostId == post.PostId).Post.CommentCount);
    }

    [Fact]
    public async Task Guests_create_no_group_and_follow_no_one_outside_their_groups()
    {
        var n = await NetworkWithAGuestAsync();

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Groups.CreateGroupAsync(
            new CreateGroupRequest { RequestId = NewRequestId(), Name = "Partner club", Visibility = GroupVisibility.Open }, As(n.Guest)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Users.FollowUserAsync(
            new FollowUserRequest { RequestId = NewRequestId(), UserId = n.Outsider }, As(n.Guest)));
    }

    [Fact]
    public async Task A_guests_home_feed_holds_only_what_they_may_see()
    {
        var n = await NetworkWithAGuestAsync();

        var feed = await engine.HomeFeedAsync(n.Guest);

        Assert.Contains(feed, item => item.Post.PostId == n.InvitedPost.PostId);
        Assert.Contains(feed, item => item.Post.PostId == n.CoMemberProfilePost.PostId);
        Assert.DoesNotContain(feed, item => item.Post.PostId == n.OpenPost.PostId || item.Post.PostId == n.OutsiderProfilePost.PostId);
    }

    [Fact]
    public async Task A_guest_removed_from_their_group_loses_it_and_its_people_at_once()
    {
        var n = await NetworkWithAGuestAsync();
        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest(), As(n.Guest));
        await watch.ResponseHeadersAsync;

        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = n.Invited.GroupId, UserId = n.Guest }, As(n.Owner));
        var hidden = await engine.PostAsync(n.CoMember, "After the guest left");
        var marker = await engine.PostAsync(n.Guest, "Still here, on my own profile");

        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = n.Invited.GroupId }, As(n.Guest)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Users.GetUserAsync(new GetUserRequest { UserId = n.CoMember }, As(n.Guest)));
        var feed = await engine.HomeFeedAsync(n.Guest);
        Assert.DoesNotContain(feed, item => item.Post.AuthorId == n.CoMember || item.Post.GroupId == n.Invited.GroupId);
        Assert.Contains(feed, item => item.Post.PostId == marker.PostId);

        // The live watch goes on for what the guest still sees, and nothing else: the next item is the marker.
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(marker.PostId, watch.ResponseStream.Current.Post.PostId);
        Assert.NotEqual(hidden.PostId, watch.ResponseStream.Current.Post.PostId);
    }

    [Fact]
    public async Task Members_see_guests_and_guests_keep_what_is_theirs()
    {
        var n = await NetworkWithAGuestAsync();

        Assert.Equal(n.Guest, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = n.Guest }, As(n.Outsider))).UserId);
        Assert.Equal(n.Guest, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = n.Guest }, As(n.Guest))).UserId);
        var account = await engine.Admin.GetAccountAsync(new GetAccountRequest(), As(n.Guest));
        Assert.Equal(NetworkRole.Guest, account.Role);
    }

    private sealed record Network(
        string Owner, string Guest, string CoMember, string Outsider,
        Group Invited, Group Open, Group Closed, Group Secret,
        Post InvitedPost, Post OpenPost, Post CoMemberProfilePost, Post OutsiderProfilePost);

    /// <summary>
    /// A guest invited to one closed group with the owner and a co-member; an open, a closed and a
    /// secret group they are not in; an outsider who shares no group with them.
    /// </summary>
    private async Task<Network> NetworkWithAGuestAsync()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var guest = await engine.CreateUserAsync("partner");
        var coMember = await engine.CreateUserAsync("comember");
        var outsider = await engine.CreateUserAsync("outsider");
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = guest, Role = NetworkRole.Guest }, As(admin));

        var invited = await engine.CreateGroupAsync(owner, GroupVisibility.Closed, name: "Partner project");
        await engine.AddMemberAsync(owner, invited.GroupId, guest);
        await engine.AddMemberAsync(owner, invited.GroupId, coMember);
        var open = await engine.CreateGroupAsync(outsider, GroupVisibility.Open);
        var closed = await engine.CreateGroupAsync(outsider, GroupVisibility.Closed);
        var secret = await engine.CreateGroupAsync(outsider, GroupVisibility.Secret);

        await engine.FollowAsync(guest, coMember);
        await engine.FollowAsync(outsider, coMember);
        await engine.FollowAsync(coMember, outsider);
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = open.GroupId }, As(coMember));

        var invitedPost = await engine.PostAsync(owner, "Kick-off with our partner", invited.GroupId);
        var openPost = await engine.PostAsync(outsider, "Internal open chat", open.GroupId);
        var coMemberProfilePost = await engine.PostAsync(coMember, "Hello from the co-member");
        var outsiderProfilePost = await engine.PostAsync(outsider, "Internal musings");
        return new Network(owner, guest, coMember, outsider, invited, open, closed, secret, invitedPost, openPost, coMemberProfilePost, outsiderProfilePost);
    }
}
