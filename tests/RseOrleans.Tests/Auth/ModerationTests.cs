using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Auth;

[Collection(EngineCollection.Name)]
public sealed class ModerationTests(EngineFixture engine)
{
    [Fact]
    public async Task Members_report_posts_and_comments_and_only_the_groups_moderators_read_the_reports()
    {
        var (group, owner, moderator, member) = await GroupAsync();
        var post = await engine.PostAsync(owner, "Quarterly numbers", group.GroupId);
        var comment = await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Spam link" }, As(owner));

        var first = await engine.Admin.ReportContentAsync(new ReportContentRequest { RequestId = NewRequestId(), PostId = post.PostId, Reason = "Confidential figures" }, As(member));
        await engine.Admin.ReportContentAsync(new ReportContentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = comment.CommentId, Reason = "Spam" }, As(member));

        var reports = await engine.Admin.ListReportsAsync(new ListReportsRequest { GroupId = group.GroupId }, As(moderator));
        Assert.Equal([(comment.CommentId, "Spam"), ("", "Confidential figures")], reports.Reports.Select(r => (r.CommentId, r.Reason)));
        Assert.All(reports.Reports, r => Assert.Equal((member, post.PostId, group.GroupId), (r.ReporterId, r.PostId, r.GroupId)));
        Assert.Equal(first.ReportId, reports.Reports[1].ReportId);

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Admin.ListReportsAsync(new ListReportsRequest { GroupId = group.GroupId }, As(member)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Admin.ListReportsAsync(new ListReportsRequest(), As(moderator)));
    }

    [Theory]
    [InlineData(GroupVisibility.Closed)]
    [InlineData(GroupVisibility.Open)] // pages of an open group's posts ask the group only for a hidden post's moderators
    public async Task A_hidden_post_is_gone_for_everyone_but_its_author_and_moderators_until_shown_again(GroupVisibility visibility)
    {
        var (group, owner, moderator, member) = await GroupAsync(visibility);
        var author = await engine.CreateUserAsync("author");
        await engine.AddMemberAsync(owner, group.GroupId, author);
        var post = await engine.PostAsync(author, "Heated remark", group.GroupId);

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(member)));
        var hidden = await engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(moderator));
        Assert.True(hidden.Changed);

        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(member)));
        Assert.DoesNotContain(await engine.HomeFeedAsync(member), item => item.Post.PostId == post.PostId);
        Assert.DoesNotContain((await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId }, As(member))).Items, item => item.Post.PostId == post.PostId);
        Assert.Equal(post.PostId, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author))).PostId);
        Assert.Contains((await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId }, As(moderator))).Items, item => item.Post.PostId == post.PostId);
        Assert.Contains(await engine.HomeFeedAsync(moderator), item => item.Post.PostId == post.PostId);
        Assert.DoesNotContain(await engine.HomeFeedAsync(member), item => item.Post.PostId == post.PostId);

        Assert.True((await engine.Admin.UnhidePostAsync(new UnhidePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(owner))).Changed);
        Assert.Contains(await engine.HomeFeedAsync(member), item => item.Post.PostId == post.PostId);

        var admin = await engine.NetworkAdminAsync();
        var log = await engine.Admin.ListAuditLogAsync(new ListAuditLogRequest { PageSize = 100 }, As(admin));
        Assert.Contains(log.Entries, e => (e.Action, e.ActorId, e.TargetId) == ("hide_post", moderator, post.PostId));
        Assert.Contains(log.Entries, e => (e.Action, e.ActorId, e.TargetId) == ("unhide_post", owner, post.PostId));
    }

    [Fact]
    public async Task Network_admins_moderate_profile_posts()
    {
        var admin = await engine.NetworkAdminAsync();
        var author = await engine.CreateUserAsync("author");
        var reader = await engine.CreateUserAsync("reader");
        var post = await engine.PostAsync(author, "Off-colour joke");

        await engine.Admin.ReportContentAsync(new ReportContentRequest { RequestId = NewRequestId(), PostId = post.PostId, Reason = "Inappropriate" }, As(reader));
        var reports = await engine.Admin.ListReportsAsync(new ListReportsRequest { PageSize = 100 }, As(admin));
        Assert.Contains(reports.Reports, r => r.PostId == post.PostId && r.ReporterId == reader && r.GroupId == "");

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(reader)));
        await engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(admin));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(reader)));
        Assert.Equal(post.PostId, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(admin))).PostId);
    }

    [Fact]
    public async Task A_report_needs_a_reason_a_readable_post_and_an_existing_comment()
    {
        var (group, owner, _, _) = await GroupAsync(GroupVisibility.Secret);
        var outsider = await engine.CreateUserAsync("outsider");
        var secretPost = await engine.PostAsync(owner, "Secret plans", group.GroupId);
        var post = await engine.PostAsync(owner, "Public thoughts");

        await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Admin.ReportContentAsync(new ReportContentRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(outsider)));
        await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Admin.ReportContentAsync(new ReportContentRequest { RequestId = NewRequestId(), PostId = post.PostId, Reason = new string('r', 501) }, As(outsider)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Admin.ReportContentAsync(new ReportContentRequest { RequestId = NewRequestId(), PostId = post.PostId, CommentId = "12345", Reason = "Spam" }, As(outsider)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Admin.ReportContentAsync(new ReportContentRequest { RequestId = NewRequestId(), PostId = secretPost.PostId, Reason = "Spam" }, As(outsider)));
    }

    private async Task<(Group Group, string Owner, string Moderator, string Member)> GroupAsync(GroupVisibility visibility = GroupVisibility.Closed)
    {
        var owner = await engine.CreateUserAsync("owner");
        var moderator = await engine.CreateUserAsync("moderator");
        var member = await engine.CreateUserAsync("member");
        var group = await engine.CreateGroupAsync(owner, visibility);
        await engine.AddMemberAsync(owner, group.GroupId, moderator);
        await engine.AddMemberAsync(owner, group.GroupId, member);
        await engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = moderator, Role = GroupRole.Moderator }, As(owner));
        return (group, owner, moderator, member);
    }
}
