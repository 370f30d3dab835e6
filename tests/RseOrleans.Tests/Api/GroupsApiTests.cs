using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

[Collection(EngineCollection.Name)]
public sealed class GroupsApiTests(EngineFixture engine)
{
    [Fact]
    public async Task Joining_an_open_group_is_immediate_and_shows_its_recent_posts()
    {
        var owner = await engine.CreateUserAsync("owner");
        var joiner = await engine.CreateUserAsync("joiner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open, name: "Running club");
        await engine.PostAsync(owner, "Saturday run at 9", group.GroupId);

        var joined = await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(joiner));

        Assert.Equal(MembershipState.Member, joined.Membership);
        var item = Assert.Single(await engine.HomeFeedAsync(joiner));
        Assert.Equal("Running club", item.Post.GroupName);
        var seen = await engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = group.GroupId }, As(joiner));
        Assert.Equal(2, seen.MemberCount);
        Assert.Equal(GroupRole.Member, seen.Role);
    }

    [Fact]
    public async Task A_closed_group_is_visible_but_its_content_waits_for_an_admins_approval()
    {
        var owner = await engine.CreateUserAsync("owner");
        var applicant = await engine.CreateUserAsync("applicant");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        await engine.PostAsync(owner, "Members only", group.GroupId);

        var seen = await engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = group.GroupId }, As(applicant));
        Assert.Equal(MembershipState.None, seen.Membership);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId }, As(applicant)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = group.GroupId }, As(applicant)));

        var join = await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(applicant));
        Assert.Equal(MembershipState.Requested, join.Membership);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Groups.ListJoinRequestsAsync(new ListJoinRequestsRequest { GroupId = group.GroupId }, As(applicant)));
        var pending = await engine.Groups.ListJoinRequestsAsync(new ListJoinRequestsRequest { GroupId = group.GroupId }, As(owner));
        Assert.Equal(applicant, Assert.Single(pending.Requests).UserId);

        var member = await engine.Groups.ApproveJoinRequestAsync(
            new ApproveJoinRequestRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = applicant }, As(owner));

        Assert.Equal(GroupRole.Member, member.Role);
        Assert.Single((await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId }, As(applicant))).Items);
        Assert.Single(await engine.HomeFeedAsync(applicant));
    }

    [Fact]
    public async Task A_secret_group_and_everything_in_it_is_indistinguishable_from_nothing_for_outsiders()
    {
        var owner = await engine.CreateUserAsync("owner");
        var outsider = await engine.CreateUserAsync("outsider");
        var secret = await engine.CreateGroupAsync(owner, GroupVisibility.Secret, name: "Project Falcon");
        var post = await engine.PostAsync(owner, "Term sheet signed", secret.GroupId);
        const string missing = "gdoesnotexist0000";

        async Task<string> NotFound<T>(Func<string, AsyncUnaryCall<T>> call, string id) =>
            (await RpcAssert.FailsWith(StatusCode.NotFound, () => call(id))).Replace(id, "<id>", StringComparison.Ordinal);

        var probes = new Func<string, Task<string>>[]
        {
            id => NotFound(i => engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = i }, As(outsider)), id),
            id => NotFound(i => engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = i }, As(outsider)), id),
            id => NotFound(i => engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = i }, As(outsider)), id),
            id => NotFound(i => engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = i }, As(outsider)), id),
            id => NotFound(i => engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = i, Text = "hi" }, As(outsider)), id),
            id => NotFound(i => engine.Groups.ListJoinRequestsAsync(new ListJoinRequestsRequest { GroupId = i }, As(outsider)), id),
        };
        foreach (var probe in probes)
        {
            // Word for word the answer for a group that does not exist.
            Assert.Equal(await probe(missing), await probe(secret.GroupId));
        }

        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(outsider)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = post.PostId }, As(outsider)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like }, As(outsider)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "?" }, As(outsider)));
        Assert.Empty(await engine.HomeFeedAsync(outsider));
    }

    [Fact]
    public async Task A_member_who_leaves_or_is_removed_stops_seeing_the_groups_posts_at_once()
    {
        var owner = await engine.CreateUserAsync("owner");
        var leaver = await engine.CreateUserAsync("leaver");
        var removed = await engine.CreateUserAsync("removed");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Secret);
        await engine.AddMemberAsync(owner, group.GroupId, leaver);
        await engine.AddMemberAsync(owner, group.GroupId, removed);
        var post = await engine.PostAsync(owner, "Confidential roadmap", group.GroupId);
        Assert.Single(await engine.HomeFeedAsync(leaver));

        await engine.Groups.LeaveGroupAsync(new LeaveGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(leaver));
        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = removed }, As(owner));

        foreach (var former in new[] { leaver, removed })
        {
            Assert.Empty(await engine.HomeFeedAsync(former));
            await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(former)));
        }
    }

    [Fact]
    public async Task Only_owners_and_admins_post_in_an_announcement_channel()
    {
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var channel = await engine.CreateGroupAsync(owner, GroupVisibility.Open, PostingPolicy.AdminsOnly, "All company");
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = channel.GroupId }, As(member));

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.CreatePostAsync(
            new CreatePostRequest { RequestId = NewRequestId(), GroupId = channel.GroupId, Text = "Can I?" }, As(member)));

        await engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = channel.GroupId, UserId = member, Role = GroupRole.Admin }, As(owner));
        var post = await engine.PostAsync(member, "Now I can", channel.GroupId);
        Assert.Equal("All company", post.GroupName);
    }

    [Fact]
    public async Task Members_are_listed_page_by_page_with_their_roles()
    {
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var members = new List<string> { owner };
        for (var i = 0; i < 5; i++)
        {
            var member = await engine.CreateUserAsync("member");
            await engine.AddMemberAsync(owner, group.GroupId, member);
            members.Add(member);
        }

        var listed = new List<Member>();
        var token = "";
        do
        {
            var page = await engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = group.GroupId, PageSize = 2, PageToken = token }, As(members[3]));
            listed.AddRange(page.Members);
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.Equal(members.Order(StringComparer.Ordinal), listed.Select(m => m.UserId));
        Assert.Equal(GroupRole.Owner, listed.Single(m => m.UserId == owner).Role);
        Assert.All(listed, m => Assert.NotEmpty(m.DisplayName));
    }

    [Fact]
    public async Task Membership_changes_need_an_admin_and_the_users_must_exist()
    {
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.AddMemberAsync(owner, group.GroupId, member);

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Groups.AddMemberAsync(
            new AddMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = owner }, As(member)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Groups.AddMemberAsync(
            new AddMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = "nobody-here" }, As(owner)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Groups.RemoveMemberAsync(
            new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = owner }, As(member)));
        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Groups.LeaveGroupAsync(
            new LeaveGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(owner)));
    }
}
