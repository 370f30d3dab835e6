using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Auth;

[Collection(EngineCollection.Name)]
public sealed class GroupModeratorTests(EngineFixture engine)
{
    [Fact]
    public async Task Moderators_delete_posts_and_comments_of_their_group_but_manage_no_one()
    {
        var (group, owner, moderator) = await GroupWithModeratorAsync(GroupVisibility.Closed);
        var author = await engine.CreateUserAsync("author");
        var newcomer = await engine.CreateUserAsync("newcomer");
        await engine.AddMemberAsync(owner, group.GroupId, author);
        var post = await engine.PostAsync(author, "Something rude", group.GroupId);
        var kept = await engine.PostAsync(author, "Something fine", group.GroupId);
        var comment = await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = kept.PostId, Text = "A rude reply" }, As(author));

        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = kept.PostId, CommentId = comment.CommentId }, As(moderator));
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(moderator));

        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author)));
        Assert.Empty((await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = kept.PostId }, As(author))).Comments);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Groups.AddMemberAsync(
            new AddMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = newcomer }, As(moderator)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Groups.RemoveMemberAsync(
            new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = author }, As(moderator)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Groups.ListJoinRequestsAsync(
            new ListJoinRequestsRequest { GroupId = group.GroupId }, As(moderator)));
    }

    [Fact]
    public async Task Moderators_do_not_post_in_announcement_channels()
    {
        var (group, _, moderator) = await GroupWithModeratorAsync(GroupVisibility.Open, PostingPolicy.AdminsOnly);

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.CreatePostAsync(
            new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = "Announcement" }, As(moderator)));
    }

    [Fact]
    public async Task A_moderator_of_one_group_moderates_nothing_elsewhere()
    {
        var (_, _, moderator) = await GroupWithModeratorAsync(GroupVisibility.Open);
        var otherOwner = await engine.CreateUserAsync("other");
        var otherGroup = await engine.CreateGroupAsync(otherOwner, GroupVisibility.Open);
        var post = await engine.PostAsync(otherOwner, "Not yours to delete", otherGroup.GroupId);
        var profilePost = await engine.PostAsync(otherOwner, "Nor this one");

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.DeletePostAsync(
            new DeletePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(moderator)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.DeletePostAsync(
            new DeletePostRequest { RequestId = NewRequestId(), PostId = profilePost.PostId }, As(moderator)));
    }

    [Fact]
    public async Task Admins_may_remove_a_moderator_and_the_role_shows_in_the_member_list()
    {
        var (group, owner, moderator) = await GroupWithModeratorAsync(GroupVisibility.Open);
        var admin = await engine.CreateUserAsync("admin");
        await engine.AddMemberAsync(owner, group.GroupId, admin);
        await engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = admin, Role = GroupRole.Admin }, As(owner));

        var members = await engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = group.GroupId }, As(owner));
        Assert.Equal(GroupRole.Moderator, members.Members.Single(member => member.UserId == moderator).Role);

        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = moderator }, As(admin));
    }

    private async Task<(Group Group, string Owner, string Moderator)> GroupWithModeratorAsync(
        GroupVisibility visibility, PostingPolicy policy = PostingPolicy.AllMembers)
    {
        var owner = await engine.CreateUserAsync("owner");
        var moderator = await engine.CreateUserAsync("moderator");
        var group = await engine.CreateGroupAsync(owner, visibility, policy);
        await engine.AddMemberAsync(owner, group.GroupId, moderator);
        var member = await engine.Groups.SetMemberRoleAsync(
            new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = moderator, Role = GroupRole.Moderator }, As(owner));
        Assert.Equal(GroupRole.Moderator, member.Role);
        return (group, owner, moderator);
    }
}
