using System.Text.Json;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Auth;

/// <summary>Exporting a user's data and erasing a user, by the policy of docs/security.md.</summary>
[Collection(EngineCollection.Name)]
public sealed class DataProtectionTests(EngineFixture engine)
{
    [Fact]
    public async Task The_export_holds_exactly_the_users_own_data()
    {
        var alice = await engine.CreateUserAsync("alice");
        var bob = await engine.CreateUserAsync("bob");
        var carol = await engine.CreateUserAsync("carol");
        var owned = await engine.CreateGroupAsync(alice, GroupVisibility.Open, name: "Alice's guild");
        var joined = await engine.CreateGroupAsync(bob, GroupVisibility.Open, name: "Bob's team");
        var closed = await engine.CreateGroupAsync(carol, GroupVisibility.Closed, name: "Carol's circle");
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = joined.GroupId }, As(alice));
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = closed.GroupId }, As(alice));
        await engine.FollowAsync(alice, bob);
        await engine.FollowAsync(carol, alice);

        var profilePost = await engine.PostAsync(alice, "Hello from my profile");
        var groupPost = await engine.PostAsync(alice, "Hello team", joined.GroupId);
        var deletedPost = await engine.PostAsync(alice, "Oops");
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = deletedPost.PostId }, As(alice));
        var bobsPost = await engine.PostAsync(bob, "Bob's news");
        var onBob = await CommentAsync(alice, bobsPost.PostId, "Congrats Bob");
        var onOwn = await CommentAsync(alice, profilePost.PostId, "Adding a detail");
        await CommentAsync(bob, profilePost.PostId, "Bob was here");
        var withdrawn = await CommentAsync(alice, bobsPost.PostId, "Wrong thread");
        await engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = bobsPost.PostId, CommentId = withdrawn.CommentId }, As(alice));
        await ReactAsync(alice, bobsPost.PostId, ReactionType.Like);
        await ReactAsync(alice, bobsPost.PostId, ReactionType.Celebrate);
        await ReactAsync(alice, groupPost.PostId, ReactionType.Insightful);
        await engine.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = NewRequestId(), PostId = groupPost.PostId, Type = ReactionType.Insightful }, As(alice));
        await ReactAsync(bob, profilePost.PostId, ReactionType.Support);

        var export = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest(), As(alice));

        Assert.Equal(alice, export.UserId);
        Assert.Equal("application/json", export.ContentType);
        using var json = JsonDocument.Parse(export.Json);
        var root = json.RootElement;
        Assert.Equal("rse.user-data.v1", root.GetProperty("format").GetString());
        Assert.Equal("active", root.GetProperty("account").GetProperty("status").GetString());
        Assert.Equal("member", root.GetProperty("account").GetProperty("network_role").GetString());
        var profile = root.GetProperty("profile");
        Assert.Equal("Alice", profile.GetProperty("display_name").GetString());
        Assert.Equal(["C#", "Orleans"], Strings(profile.GetProperty("skills")));

        var posts = root.GetProperty("posts").EnumerateArray().ToArray();
        Assert.Equal([profilePost.PostId, groupPost.PostId], posts.Select(p => p.GetProperty("post_id").GetString()));
        Assert.Equal("Hello from my profile", posts[0].GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, posts[0].GetProperty("group_id").ValueKind);
        Assert.Equal(joined.GroupId, posts[1].GetProperty("group_id").GetString());
        Assert.Equal(2, posts[0].GetProperty("comment_count").GetInt32());
        Assert.Equal(1, posts[0].GetProperty("reaction_counts").GetProperty("support").GetInt32());

        Assert.Equal(
            [(onBob.CommentId, bobsPost.PostId, "Congrats Bob"), (onOwn.CommentId, profilePost.PostId, "Adding a detail")],
            root.GetProperty("comments").EnumerateArray().Select(c =>
                (c.GetProperty("comment_id").GetString(), c.GetProperty("post_id").GetString(), c.GetProperty("text").GetString())));
        Assert.Equal(
            [(bobsPost.PostId, "like"), (bobsPost.PostId, "celebrate")],
            root.GetProperty("reactions").EnumerateArray().Select(r => (r.GetProperty("post_id").GetString(), r.GetProperty("type").GetString())));
        Assert.Equal([bob], Strings(root.GetProperty("following")));
        Assert.Equal([carol], Strings(root.GetProperty("followers")));
        Assert.Equal(
            new[] { (owned.GroupId, "Alice's guild", "owner"), (joined.GroupId, "Bob's team", "member") }.Order(),
            root.GetProperty("memberships").EnumerateArray().Select(m =>
                (m.GetProperty("group_id").GetString()!, m.GetProperty("group_name").GetString()!, m.GetProperty("role").GetString()!)).Order());
        var request = Assert.Single(root.GetProperty("join_requests").EnumerateArray());
        Assert.Equal(closed.GroupId, request.GetProperty("group_id").GetString());
    }

    [Fact]
    public async Task Erasing_a_user_removes_their_content_from_every_read_path()
    {
        var admin = await engine.NetworkAdminAsync();
        var alice = await engine.CreateUserAsync("alice");
        var bob = await engine.CreateUserAsync("bob");
        var carol = await engine.CreateUserAsync("carol");
        var dave = await engine.CreateUserAsync("dave");
        var group = await engine.CreateGroupAsync(carol, GroupVisibility.Open);
        await engine.AddMemberAsync(carol, group.GroupId, alice);
        await engine.AddMemberAsync(carol, group.GroupId, bob);
        await engine.FollowAsync(bob, alice);
        await engine.FollowAsync(alice, dave);

        var alicesProfilePost = await engine.PostAsync(alice, "On my profile");
        var alicesGroupPost = await engine.PostAsync(alice, "In the group", group.GroupId);
        var carolsPost = await engine.PostAsync(carol, "Carol's question", group.GroupId);
        await CommentAsync(bob, alicesProfilePost.PostId, "Nice");
        await CommentAsync(alice, carolsPost.PostId, "Alice answers");
        var bobsComment = await CommentAsync(bob, carolsPost.PostId, "Bob answers");
        await ReactAsync(alice, carolsPost.PostId, ReactionType.Like);
        await ReactAsync(alice, carolsPost.PostId, ReactionType.Celebrate);
        await ReactAsync(bob, carolsPost.PostId, ReactionType.Like);
        Assert.Equal(3, (await engine.HomeFeedAsync(bob)).Count);

        var erased = await EraseAsync(alice, admin);

        Assert.False(erased.AlreadyErased);
        Assert.Equal(
            (2, 1, 2, 1, 1, 1),
            (erased.PostsDeleted, erased.CommentsDeleted, erased.ReactionsRemoved, erased.FollowingRemoved, erased.FollowersRemoved, erased.MembershipsRemoved));

        // Feeds: the home feed of a follower and fellow member, the group's feed.
        Assert.Equal([carolsPost.PostId], (await engine.HomeFeedAsync(bob)).Select(i => i.Post.PostId));
        var groupFeed = await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId }, As(bob));
        Assert.Equal([carolsPost.PostId], groupFeed.Items.Select(i => i.Post.PostId));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = alicesGroupPost.PostId }, As(bob)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = alicesProfilePost.PostId }, As(bob)));

        // Comments and counts, exact.
        var post = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = carolsPost.PostId }, As(bob));
        Assert.Equal(1, post.CommentCount);
        Assert.Equal([(ReactionType.Like, 1)], post.Reactions.Select(r => (r.Type, r.Count)));
        var comments = await engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = carolsPost.PostId }, As(bob));
        Assert.Equal([bobsComment.CommentId], comments.Comments.Select(c => c.CommentId));

        // People: member list and count, follower and following lists both ways.
        var members = await engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = group.GroupId }, As(bob));
        Assert.DoesNotContain(alice, members.Members.Select(m => m.UserId));
        Assert.Equal(2, (await engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = group.GroupId }, As(bob))).MemberCount);
        Assert.Empty((await engine.Users.ListFollowingAsync(new ListFollowingRequest { UserId = bob }, As(bob))).Users);
        Assert.Empty((await engine.Users.ListFollowersAsync(new ListFollowersRequest { UserId = dave }, As(bob))).Users);
        Assert.Equal(0, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = bob }, As(bob))).FollowingCount);

        // The person: no profile, no posts page, and the id is neither reusable nor reactivated.
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, As(bob)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = alice }, As(bob)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = alice }, As(bob)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Groups.AddMemberAsync(
            new AddMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = alice }, As(carol)));
        await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => engine.Users.CreateUserAsync(
            new CreateUserRequest { RequestId = NewRequestId(), UserId = alice, Profile = new Profile { DisplayName = "New Alice" } }));
        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Admin.ReactivateUserAsync(
            new ReactivateUserRequest { RequestId = NewRequestId(), UserId = alice }, As(admin)));
        var account = await engine.Admin.GetAccountAsync(new GetAccountRequest { UserId = alice }, As(admin));
        Assert.Equal(AccountStatus.Erased, account.Status);
        var refused = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), As(alice)));
        Assert.Contains("erased", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_export_of_an_erased_user_is_empty()
    {
        var admin = await engine.NetworkAdminAsync();
        var alice = await engine.CreateUserAsync("alice");
        var bob = await engine.CreateUserAsync("bob");
        var group = await engine.CreateGroupAsync(alice, GroupVisibility.Open);
        await engine.FollowAsync(alice, bob);
        await engine.FollowAsync(bob, alice);
        var post = await engine.PostAsync(alice, "Soon gone", group.GroupId);
        await CommentAsync(alice, post.PostId, "Me again");
        await ReactAsync(alice, post.PostId, ReactionType.Like);

        await EraseAsync(alice, alice);
        var export = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest { UserId = alice }, As(admin));

        using var json = JsonDocument.Parse(export.Json);
        var root = json.RootElement;
        Assert.Equal(alice, root.GetProperty("user_id").GetString());
        Assert.Equal("erased", root.GetProperty("account").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("profile").ValueKind);
        foreach (var collection in new[] { "posts", "comments", "reactions", "following", "followers", "memberships", "join_requests" })
        {
            Assert.True(root.GetProperty(collection).GetArrayLength() == 0, $"{collection} of an erased user");
        }
    }

    [Fact]
    public async Task Erasing_twice_is_harmless()
    {
        var admin = await engine.NetworkAdminAsync();
        var alice = await engine.CreateUserAsync("alice");
        var bob = await engine.CreateUserAsync("bob");
        await engine.FollowAsync(bob, alice);
        await engine.PostAsync(alice, "Goodbye");
        var bobsPost = await engine.PostAsync(bob, "Still here");
        var requestId = NewRequestId();

        var first = await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = requestId, UserId = alice, Confirm = true }, As(admin));
        var retried = await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = requestId, UserId = alice, Confirm = true }, As(admin));
        var again = await EraseAsync(alice, admin);

        Assert.Equal((false, 1, 1), (first.AlreadyErased, first.PostsDeleted, first.FollowersRemoved));
        foreach (var later in new[] { retried, again })
        {
            Assert.True(later.AlreadyErased);
            Assert.Equal(first.EraseTime, later.EraseTime);
            Assert.Equal(
                (0, 0, 0, 0, 0, 0),
                (later.PostsDeleted, later.CommentsDeleted, later.ReactionsRemoved, later.FollowingRemoved, later.FollowersRemoved, later.MembershipsRemoved));
        }

        Assert.Equal([bobsPost.PostId], (await engine.HomeFeedAsync(bob)).Select(i => i.Post.PostId));
        var erasures = (await engine.Admin.ListAuditLogAsync(new ListAuditLogRequest { PageSize = 100 }, As(admin))).Entries
            .Where(e => e.Action == "erase_user" && e.TargetId == alice);
        Assert.Equal(2, erasures.Count());
    }

    [Fact]
    public async Task A_user_erases_their_own_account_only_with_confirmation()
    {
        var admin = await engine.NetworkAdminAsync();
        var alice = await engine.CreateUserAsync("alice");
        var bob = await engine.CreateUserAsync("bob");

        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Users.EraseUserAsync(
            new EraseUserRequest { RequestId = NewRequestId(), UserId = alice }, As(alice)));
        Assert.StartsWith("confirm:", detail, StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Users.EraseUserAsync(
            new EraseUserRequest { RequestId = NewRequestId(), UserId = alice, Confirm = true }, As(bob)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Users.ExportUserDataAsync(
            new ExportUserDataRequest { UserId = alice }, As(bob)));
        await engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, As(bob));

        await EraseAsync(alice, alice);

        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, As(bob)));
        var entry = (await engine.Admin.ListAuditLogAsync(new ListAuditLogRequest { PageSize = 100 }, As(admin))).Entries
            .Single(e => e.Action == "erase_user" && e.TargetId == alice);
        Assert.Equal((alice, "by themselves"), (entry.ActorId, entry.Detail));
    }

    [Fact]
    public async Task Network_admins_export_anyones_data_on_the_record_but_cannot_erase_a_configured_admin()
    {
        var admin = await engine.NetworkAdminAsync();
        var alice = await engine.CreateUserAsync("alice");

        var export = await engine.Users.ExportUserDataAsync(new ExportUserDataRequest { UserId = alice }, As(admin));
        using (var json = JsonDocument.Parse(export.Json))
        {
            Assert.Equal("Alice", json.RootElement.GetProperty("profile").GetProperty("display_name").GetString());
        }

        var entries = (await engine.Admin.ListAuditLogAsync(new ListAuditLogRequest { PageSize = 100 }, As(admin))).Entries;
        Assert.Contains(entries, e => (e.ActorId, e.Action, e.TargetId) == (admin, "export_user_data", alice));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Users.ExportUserDataAsync(new ExportUserDataRequest { UserId = "nobody-here" }, As(admin)));
        var detail = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Users.EraseUserAsync(
            new EraseUserRequest { RequestId = NewRequestId(), UserId = admin, Confirm = true }, As(admin)));
        Assert.Contains("Network:Admins", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_erased_last_owner_hands_the_group_to_its_most_trusted_member_and_their_join_requests_go()
    {
        var alice = await engine.CreateUserAsync("alice");
        var early = await engine.CreateUserAsync("early");
        var trusted = await engine.CreateUserAsync("trusted");
        var carol = await engine.CreateUserAsync("carol");
        var group = await engine.CreateGroupAsync(alice, GroupVisibility.Closed);
        await engine.AddMemberAsync(alice, group.GroupId, early);
        await engine.AddMemberAsync(alice, group.GroupId, trusted);
        await engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = trusted, Role = GroupRole.Admin }, As(alice));
        var carols = await engine.CreateGroupAsync(carol, GroupVisibility.Closed);
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = carols.GroupId }, As(alice));

        var erased = await EraseAsync(alice, alice);

        Assert.Equal((1, 2), (erased.OwnershipsTransferred, erased.MembershipsRemoved + erased.JoinRequestsDropped));
        var members = (await engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = group.GroupId }, As(early))).Members;
        Assert.Equal(
            new[] { (early, GroupRole.Member), (trusted, GroupRole.Owner) }.Order(),
            members.Select(m => (m.UserId, m.Role)).Order());
        var seen = await engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = group.GroupId }, As(early));
        Assert.Equal("", seen.CreatedBy);
        await engine.AddMemberAsync(trusted, group.GroupId, carol);
        Assert.Empty((await engine.Groups.ListJoinRequestsAsync(new ListJoinRequestsRequest { GroupId = carols.GroupId }, As(carol))).Requests);
    }

    [Fact]
    public async Task Erasure_ends_the_open_live_watches_of_the_account()
    {
        var alice = await engine.CreateUserAsync("alice");
        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest(), As(alice));
        await watch.ResponseHeadersAsync;

        await EraseAsync(alice, alice);

        var detail = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains("erased", detail, StringComparison.Ordinal);
    }

    private async Task<EraseUserResponse> EraseAsync(string userId, string caller) =>
        await engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = userId, Confirm = true }, As(caller));

    private async Task<Comment> CommentAsync(string author, string postId, string text) =>
        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = text }, As(author));

    private async Task ReactAsync(string userId, string postId, ReactionType type) =>
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, Type = type }, As(userId));

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
}
