using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Auth;

[Collection(EngineCollection.Name)]
public sealed class AuditLogTests(EngineFixture engine)
{
    [Fact]
    public async Task Every_moderation_and_admin_action_lands_in_the_audit_log()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var moderator = await engine.CreateUserAsync("moderator");
        var author = await engine.CreateUserAsync("author");
        var asker = await engine.CreateUserAsync("asker");
        var declined = await engine.CreateUserAsync("declined");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);

        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = author, Role = NetworkRole.Guest }, As(admin));
        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = declined }, As(admin));
        await engine.Admin.ReactivateUserAsync(new ReactivateUserRequest { RequestId = NewRequestId(), UserId = declined }, As(admin));
        await engine.AddMemberAsync(owner, group.GroupId, moderator);
        await engine.AddMemberAsync(owner, group.GroupId, author);
        await engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = moderator, Role = GroupRole.Moderator }, As(owner));
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(asker));
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(declined));
        await engine.Groups.ApproveJoinRequestAsync(new ApproveJoinRequestRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = asker }, As(owner));
        await engine.Groups.DeclineJoinRequestAsync(new DeclineJoinRequestRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = declined }, As(owner));
        var post = await engine.PostAsync(author, "Off topic", group.GroupId);
        var kept = await engine.PostAsync(owner, "On topic", group.GroupId);
        var comment = await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = kept.PostId, Text = "Rude" }, As(author));
        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = kept.PostId, CommentId = comment.CommentId }, As(moderator));
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(moderator));
        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = author }, As(owner));

        var mine = (await AllEntriesAsync(admin))
            .Where(e => new[] { admin, owner, moderator }.Contains(e.ActorId) && (e.GroupId == group.GroupId || new[] { author, declined }.Contains(e.TargetId)))
            .Select(e => (e.ActorId, e.Action, e.TargetId, e.GroupId, e.Detail))
            .Reverse()
            .ToList();

        Assert.Equal(
        [
            (admin, "set_network_role", author, "", "guest"),
            (admin, "deactivate_user", declined, "", ""),
            (admin, "reactivate_user", declined, "", ""),
            (owner, "add_member", moderator, group.GroupId, ""),
            (owner, "add_member", author, group.GroupId, ""),
            (owner, "set_member_role", moderator, group.GroupId, "moderator"),
            (owner, "approve_join_request", asker, group.GroupId, ""),
            (owner, "decline_join_request", declined, group.GroupId, ""),
            (moderator, "delete_comment", comment.CommentId, group.GroupId, $"post {kept.PostId}, author {author}"),
            (moderator, "delete_post", post.PostId, group.GroupId, $"author {author}"),
            (owner, "remove_member", author, group.GroupId, ""),
        ],
            mine);
    }

    [Fact]
    public async Task A_retried_action_is_logged_once_and_deleting_ones_own_post_is_not_moderation()
    {
        var admin = await engine.NetworkAdminAsync();
        var user = await engine.CreateUserAsync("user");
        var requestId = NewRequestId();
        var own = await engine.PostAsync(user, "Mine to delete");

        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = requestId, UserId = user }, As(admin));
        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = requestId, UserId = user }, As(admin));
        await engine.Admin.ReactivateUserAsync(new ReactivateUserRequest { RequestId = NewRequestId(), UserId = user }, As(admin));
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = own.PostId }, As(user));

        var aboutUser = (await AllEntriesAsync(admin)).Where(e => e.TargetId == user || e.TargetId == own.PostId).Select(e => e.Action).ToList();
        Assert.Equal(["reactivate_user", "deactivate_user"], aboutUser);
    }

    [Fact]
    public async Task Only_network_admins_read_the_audit_log()
    {
        var member = await engine.CreateUserAsync("member");

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Admin.ListAuditLogAsync(new ListAuditLogRequest(), As(member)));
        await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => engine.Admin.ListAuditLogAsync(new ListAuditLogRequest()));
    }

    [Fact]
    public async Task The_audit_log_pages_newest_first_without_gaps_or_repeats()
    {
        var admin = await engine.NetworkAdminAsync();
        for (var i = 0; i < 5; i++)
        {
            var user = await engine.CreateUserAsync("paged");
            await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = user }, As(admin));
        }

        var all = await AllEntriesAsync(admin, pageSize: 100);
        var paged = await AllEntriesAsync(admin, pageSize: 2);

        var ids = paged.Select(e => long.Parse(e.EntryId, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // Entries other tests add meanwhile are newer than the first page read: the walk misses none it started from.
        Assert.Superset(all.Select(e => e.EntryId).ToHashSet(), paged.Select(e => e.EntryId).ToHashSet());
        Assert.True(paged.Count >= all.Count);
    }

    private async Task<List<AuditEntry>> AllEntriesAsync(string admin, int pageSize = 100)
    {
        var entries = new List<AuditEntry>();
        var token = "";
        do
        {
            var page = await engine.Admin.ListAuditLogAsync(new ListAuditLogRequest { PageSize = pageSize, PageToken = token }, As(admin));
            entries.AddRange(page.Entries);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return entries;
    }
}
