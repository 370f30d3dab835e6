using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Auth;

/// <summary>
/// Every RPC, called by every kind of caller, around one closed group: what each one gets. After
/// a call whose success would change what the next caller gets (removing the member, deleting the
/// post...), the next caller gets a world of its own.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class WhoMayCallWhatTests(EngineFixture engine)
{
    // Callers, in the order of the expectation strings below.
    private static readonly string[] CallerKinds =
        ["anonymous", "deactivated", "guest", "outsider", "member", "author", "moderator", "admin", "owner", "network admin"];

    [Fact]
    public async Task Every_rpc_answers_each_kind_of_caller_as_the_rules_say()
    {
        var people = await PeopleAsync();
        var shared = await WorldAsync(people);
        var failures = new List<string>();

        // O ok · U unauthenticated · D permission denied · N not found · F failed precondition.
        var reads = new (string Rpc, string Expected, Func<World, Metadata, Task> Call)[]
        {
            ("GetGroup", "UDNOOOOOOO", (w, h) => engine.Groups.GetGroupAsync(new GetGroupRequest { GroupId = w.GroupId }, h).ResponseAsync),
            ("GetGroupFeed", "UDNDOOOOOD", (w, h) => engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = w.GroupId }, h).ResponseAsync),
            ("ListMembers", "UDNDOOOOOD", (w, h) => engine.Groups.ListMembersAsync(new ListMembersRequest { GroupId = w.GroupId }, h).ResponseAsync),
            ("ListJoinRequests", "UDNDDDDOOD", (w, h) => engine.Groups.ListJoinRequestsAsync(new ListJoinRequestsRequest { GroupId = w.GroupId }, h).ResponseAsync),
            ("ListReports", "UDNDDDOOOD", (w, h) => engine.Admin.ListReportsAsync(new ListReportsRequest { GroupId = w.GroupId }, h).ResponseAsync),
            ("GetPost (group)", "UDNDOOOOOD", (w, h) => engine.Posts.GetPostAsync(new GetPostRequest { PostId = w.PostId }, h).ResponseAsync),
            ("ListComments", "UDNDOOOOOD", (w, h) => engine.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = w.PostId }, h).ResponseAsync),
            ("GetPost (profile)", "UDNOOOOOOO", (w, h) => engine.Posts.GetPostAsync(new GetPostRequest { PostId = w.ProfilePostId }, h).ResponseAsync),
            ("GetUser", "UDNOOOOOOO", (w, h) => engine.Users.GetUserAsync(new GetUserRequest { UserId = people.Author }, h).ResponseAsync),
            ("ListFollowers", "UDNOOOOOOO", (w, h) => engine.Users.ListFollowersAsync(new ListFollowersRequest { UserId = people.Author }, h).ResponseAsync),
            ("ListFollowing", "UDNOOOOOOO", (w, h) => engine.Users.ListFollowingAsync(new ListFollowingRequest { UserId = people.Author }, h).ResponseAsync),
            ("ListUserPosts", "UDNOOOOOOO", (w, h) => engine.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = people.Author }, h).ResponseAsync),
            ("GetHomeFeed", "UDOOOOOOOO", (w, h) => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), h).ResponseAsync),
            ("WatchFeed", "UDOOOOOOOO", (w, h) => WatchAsync(h)),
            ("GetAccount (own)", "UDOOOOOOOO", (w, h) => engine.Admin.GetAccountAsync(new GetAccountRequest(), h).ResponseAsync),
            ("GetAccount (other)", "UDDDDODDDO", (w, h) => engine.Admin.GetAccountAsync(new GetAccountRequest { UserId = people.Author }, h).ResponseAsync),
            ("ListAuditLog", "UDDDDDDDDO", (w, h) => engine.Admin.ListAuditLogAsync(new ListAuditLogRequest(), h).ResponseAsync),
            ("ListReports (profiles)", "UDDDDDDDDO", (w, h) => engine.Admin.ListReportsAsync(new ListReportsRequest(), h).ResponseAsync),
            ("ExportUserData (own)", "UDOOOOOOOO", (w, h) => engine.Users.ExportUserDataAsync(new ExportUserDataRequest(), h).ResponseAsync),
            ("ExportUserData (other)", "UDDDDODDDO", (w, h) => engine.Users.ExportUserDataAsync(new ExportUserDataRequest { UserId = people.Author }, h).ResponseAsync),
            ("ListBookmarks", "UDOOOOOOOO", (w, h) => engine.Posts.ListBookmarksAsync(new ListBookmarksRequest(), h).ResponseAsync),
            // A topic is everyone's to read: each caller is shown only the posts they may read.
            ("ListFollowedTopics", "UDOOOOOOOO", (w, h) => engine.Topics.ListFollowedTopicsAsync(new ListFollowedTopicsRequest(), h).ResponseAsync),
            ("GetTopicFeed", "UDOOOOOOOO", (w, h) => engine.Topics.GetTopicFeedAsync(new GetTopicFeedRequest { Topic = "rules" }, h).ResponseAsync),
            ("ListTrendingTopics", "UDOOOOOOOO", (w, h) => engine.Topics.ListTrendingTopicsAsync(new ListTrendingTopicsRequest(), h).ResponseAsync),
            // Notifications are each caller's own: every active account reads its own, nobody another's.
            ("ListNotifications", "UDOOOOOOOO", (w, h) => engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), h).ResponseAsync),
            ("GetUnreadCount", "UDOOOOOOOO", (w, h) => engine.Notifications.GetUnreadCountAsync(new GetUnreadCountRequest(), h).ResponseAsync),
            ("GetMarkers", "UDOOOOOOOO", (w, h) => engine.Notifications.GetMarkersAsync(new GetMarkersRequest(), h).ResponseAsync),
            ("GetNotificationSettings", "UDOOOOOOOO", (w, h) => engine.Notifications.GetNotificationSettingsAsync(new GetNotificationSettingsRequest(), h).ResponseAsync),
            ("WatchNotifications", "UDOOOOOOOO", (w, h) => WatchNotificationsAsync(h)),
            // Search is everyone's: each caller is shown only what they may see (RandomNetworkVisibilityTests checks what).
            ("SearchPosts", "UDOOOOOOOO", (w, h) => new RseOrleans.Api.V1.Search.SearchClient(engine.Channel).SearchPostsAsync(new SearchPostsRequest { Query = "hi" }, h).ResponseAsync),
            ("SearchPeople", "UDOOOOOOOO", (w, h) => new RseOrleans.Api.V1.Search.SearchClient(engine.Channel).SearchPeopleAsync(new SearchPeopleRequest { Query = "star" }, h).ResponseAsync),
            ("SearchGroups", "UDOOOOOOOO", (w, h) => new RseOrleans.Api.V1.Search.SearchClient(engine.Channel).SearchGroupsAsync(new SearchGroupsRequest { Query = "g" }, h).ResponseAsync),
            ("FindExperts", "UDOOOOOOOO", (w, h) => new RseOrleans.Api.V1.Search.SearchClient(engine.Channel).FindExpertsAsync(new FindExpertsRequest { Topic = "orleans" }, h).ResponseAsync),
            ("Suggest", "UDOOOOOOOO", (w, h) => new RseOrleans.Api.V1.Search.SearchClient(engine.Channel).SuggestAsync(new SuggestRequest { Prefix = "s" }, h).ResponseAsync),
            ("ListWebhooks (group)", "UDNDDDDOOD", (w, h) => engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = w.GroupId }, h).ResponseAsync),
            ("ListWebhooks (network)", "UDDDDDDDDO", (w, h) => engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest(), h).ResponseAsync),
            ("SuggestForNewcomer", "UDOOOOOOOO", (w, h) => new RseOrleans.Api.V1.Search.SearchClient(engine.Channel).SuggestForNewcomerAsync(new SuggestForNewcomerRequest(), h).ResponseAsync),
            // Network admins only; the embedded index has nothing to rebuild from.
            ("RebuildSearchIndex", "UDDDDDDDDF", (w, h) => new RseOrleans.Api.V1.Search.SearchClient(engine.Channel).RebuildSearchIndexAsync(new RebuildSearchIndexRequest(), h).ResponseAsync),
            // Network admins only; the embedded engine keeps no analytics journal to rebuild from.
            ("RebuildAnalytics", "UDDDDDDDDF", (w, h) => new RseOrleans.Api.V1.Analytics.AnalyticsClient(engine.Channel).RebuildAnalyticsAsync(new RebuildAnalyticsRequest(), h).ResponseAsync),
            // Service accounts are the network admins' to run, and no one else's to see.
            ("ListServiceAccounts", "UDDDDDDDDO", (w, h) => Accounts.ListServiceAccountsAsync(new ListServiceAccountsRequest(), h).ResponseAsync),
            ("GetServiceAccount", "UDDDDDDDDO", async (w, h) => await Accounts.GetServiceAccountAsync(new GetServiceAccountRequest { ServiceAccountId = await ServiceAccountAsync(w) }, h)),
            ("ListTokens", "UDDDDDDDDO", async (w, h) => await Accounts.ListTokensAsync(new ListTokensRequest { ServiceAccountId = await ServiceAccountAsync(w) }, h)),
            ("IssueToken", "UDDDDDDDDO", async (w, h) => await Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = await ServiceAccountAsync(w) }, h)),
        };

        var writes = new (string Rpc, string Expected, bool Consumes, Func<World, Metadata, Task> Call)[]
        {
            ("CreateGroup", "UDDOOOOOOO", false, (w, h) => engine.Groups.CreateGroupAsync(new CreateGroupRequest { RequestId = NewRequestId(), Name = "G", Visibility = GroupVisibility.Open }, h).ResponseAsync),
            ("JoinGroup", "UDNOOOOOOO", false, (w, h) => engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = w.GroupId }, h).ResponseAsync),
            ("LeaveGroup", "UDNFOOOOFF", false, (w, h) => engine.Groups.LeaveGroupAsync(new LeaveGroupRequest { RequestId = NewRequestId(), GroupId = w.GroupId }, h).ResponseAsync),
            ("AddMember", "UDNDDDDOOD", false, (w, h) => engine.Groups.AddMemberAsync(new AddMemberRequest { RequestId = NewRequestId(), GroupId = w.GroupId, UserId = people.Newcomer }, h).ResponseAsync),
            ("RemoveMember", "UDNDDDDOOD", true, (w, h) => engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = w.GroupId, UserId = people.Star }, h).ResponseAsync),
            ("SetMemberRole", "UDNDDDDDOD", false, (w, h) => engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = w.GroupId, UserId = people.Star, Role = GroupRole.Moderator }, h).ResponseAsync),
            ("ApproveJoinRequest", "UDNDDDDOOD", true, (w, h) => engine.Groups.ApproveJoinRequestAsync(new ApproveJoinRequestRequest { RequestId = NewRequestId(), GroupId = w.GroupId, UserId = people.Asker }, h).ResponseAsync),
            ("DeclineJoinRequest", "UDNDDDDOOD", true, (w, h) => engine.Groups.DeclineJoinRequestAsync(new DeclineJoinRequestRequest { RequestId = NewRequestId(), GroupId = w.GroupId, UserId = people.Asker }, h).ResponseAsync),
            ("CreatePost (group)", "UDNDOOOOOD", false, (w, h) => engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = w.GroupId, Text = "Hi" }, h).ResponseAsync),
            ("CreatePost (profile)", "UDOOOOOOOO", false, (w, h) => engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "Hi" }, h).ResponseAsync),
            ("UpdatePost", "UDNDDODDDD", false, (w, h) => engine.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = w.PostId, Text = "Edited" }, h).ResponseAsync),
            ("DeletePost", "UDNDDOOOOD", true, (w, h) => engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = w.PostId }, h).ResponseAsync),
            ("DeletePost (profile)", "UDNDDODDDD", true, (w, h) => engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = w.ProfilePostId }, h).ResponseAsync),
            ("CreateComment", "UDNDOOOOOD", false, (w, h) => engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = w.PostId, Text = "Hi" }, h).ResponseAsync),
            ("DeleteComment", "UDNDDOOOOD", true, (w, h) => engine.Posts.DeleteCommentAsync(new DeleteCommentRequest { RequestId = NewRequestId(), PostId = w.PostId, CommentId = w.CommentId }, h).ResponseAsync),
            ("AddReaction", "UDNDOOOOOD", false, (w, h) => engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = w.PostId, Type = ReactionType.Like }, h).ResponseAsync),
            ("RemoveReaction", "UDNDOOOOOD", false, (w, h) => engine.Posts.RemoveReactionAsync(new RemoveReactionRequest { RequestId = NewRequestId(), PostId = w.PostId, Type = ReactionType.Like }, h).ResponseAsync),
            // A post the caller may not read is NOT_FOUND to a bookmark, even where GetPost says PERMISSION_DENIED.
            ("BookmarkPost", "UDNNOOOOON", false, (w, h) => engine.Posts.BookmarkPostAsync(new BookmarkPostRequest { RequestId = NewRequestId(), PostId = w.PostId }, h).ResponseAsync),
            ("UnbookmarkPost", "UDOOOOOOOO", false, (w, h) => engine.Posts.UnbookmarkPostAsync(new UnbookmarkPostRequest { RequestId = NewRequestId(), PostId = w.PostId }, h).ResponseAsync),
            ("ReportContent", "UDNDOOOOOD", false, (w, h) => engine.Admin.ReportContentAsync(new ReportContentRequest { RequestId = NewRequestId(), PostId = w.PostId, Reason = "Check" }, h).ResponseAsync),
            ("HidePost", "UDNDDDOOOD", true, (w, h) => engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = w.PostId }, h).ResponseAsync),
            ("HidePost (profile)", "UDNDDDDDDO", false, (w, h) => engine.Admin.HidePostAsync(new HidePostRequest { RequestId = NewRequestId(), PostId = w.ProfilePostId }, h).ResponseAsync),
            // A closed group's post may be shared only inside it (FAILED_PRECONDITION elsewhere), by whoever may post there.
            ("SharePost (into its group)", "UDNNOOOOON", false, (w, h) => engine.Posts.SharePostAsync(new SharePostRequest { RequestId = NewRequestId(), PostId = w.PostId, GroupId = w.GroupId }, h).ResponseAsync),
            ("SharePost (group post to profile)", "UDNNFFFFFN", false, (w, h) => engine.Posts.SharePostAsync(new SharePostRequest { RequestId = NewRequestId(), PostId = w.PostId }, h).ResponseAsync),
            ("SharePost (profile post)", "UDNOOOOOOO", false, (w, h) => engine.Posts.SharePostAsync(new SharePostRequest { RequestId = NewRequestId(), PostId = w.ProfilePostId }, h).ResponseAsync),
            ("MarkNotificationsRead", "UDOOOOOOOO", false, (w, h) => engine.Notifications.MarkNotificationsReadAsync(new MarkNotificationsReadRequest { RequestId = NewRequestId() }, h).ResponseAsync),
            ("UpdateMarkers", "UDOOOOOOOO", false, async (w, h) =>
            {
                var markers = await engine.Notifications.GetMarkersAsync(new GetMarkersRequest(), h);
                await engine.Notifications.UpdateMarkersAsync(new UpdateMarkersRequest { RequestId = NewRequestId(), Version = markers.Version }, h);
            }),
            ("UpdateNotificationSettings", "UDOOOOOOOO", false, (w, h) => engine.Notifications.UpdateNotificationSettingsAsync(
                new UpdateNotificationSettingsRequest { RequestId = NewRequestId(), Settings = new NotificationSettings { GroupLevels = { new GroupLevel { GroupId = w.GroupId, Level = GroupNotificationLevel.All } } } }, h).ResponseAsync),
            ("FollowTopic", "UDOOOOOOOO", false, (w, h) => engine.Topics.FollowTopicAsync(new FollowTopicRequest { RequestId = NewRequestId(), Topic = "rules" }, h).ResponseAsync),
            ("UnfollowTopic", "UDOOOOOOOO", false, (w, h) => engine.Topics.UnfollowTopicAsync(new UnfollowTopicRequest { RequestId = NewRequestId(), Topic = "rules" }, h).ResponseAsync),
            ("FollowUser", "UDNOOOOOOO", false, (w, h) => engine.Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = people.Star }, h).ResponseAsync),
            ("UnfollowUser", "UDNOOOOOOO", false, (w, h) => engine.Users.UnfollowUserAsync(new UnfollowUserRequest { RequestId = NewRequestId(), UserId = people.Star }, h).ResponseAsync),
            ("UpdateUser", "UDOOOOOOOO", false, (w, h) => engine.Users.UpdateUserAsync(new UpdateUserRequest { RequestId = NewRequestId(), Profile = new Profile { Title = "Lead" }, UpdateMask = new() { Paths = { "title" } } }, h).ResponseAsync),
            ("SetNetworkRole", "UDDDDDDDDO", false, (w, h) => engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = people.Star, Role = NetworkRole.Member }, h).ResponseAsync),
            ("DeactivateUser", "UDDDDDDDDO", false, (w, h) => engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = w.Victim }, h).ResponseAsync),
            ("ReactivateUser", "UDDDDDDDDO", false, (w, h) => engine.Admin.ReactivateUserAsync(new ReactivateUserRequest { RequestId = NewRequestId(), UserId = w.Victim }, h).ResponseAsync),
            ("RepairDerivedCopies", "UDDDDDDDDO", false, (w, h) => engine.Admin.RepairDerivedCopiesAsync(new RepairDerivedCopiesRequest { RequestId = NewRequestId(), GroupIds = { w.GroupId } }, h).ResponseAsync),
            // Erasing oneself is everyone's right (DataProtectionTests); here, someone else.
            ("EraseUser (other)", "UDDDDDDDDO", true, (w, h) => engine.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = w.Victim, Confirm = true }, h).ResponseAsync),
            // Webhooks: a group's owners and admins subscribe to its events, network admins to the network's.
            ("CreateWebhook (group)", "UDNDDDDOOD", false, (w, h) => engine.Webhooks.CreateWebhookAsync(new CreateWebhookRequest { RequestId = NewRequestId(), GroupId = w.GroupId, Url = "https://hooks.example.com/rse", EventTypes = { "post.created" } }, h).ResponseAsync),
            ("CreateWebhook (network)", "UDDDDDDDDO", false, (w, h) => engine.Webhooks.CreateWebhookAsync(new CreateWebhookRequest { RequestId = NewRequestId(), Url = "https://hooks.example.com/rse", EventTypes = { "user.created" } }, h).ResponseAsync),
            ("CreateServiceAccount", "UDDDDDDDDO", false, (w, h) => Accounts.CreateServiceAccountAsync(new CreateServiceAccountRequest
            {
                RequestId = NewRequestId(), ServiceAccountId = $"bot-{Guid.NewGuid():N}"[..16], DisplayName = "Bot", Scopes = { $"groups.read:{w.GroupId}" },
            }, h).ResponseAsync),
            ("UpdateServiceAccountScopes", "UDDDDDDDDO", false, async (w, h) => await Accounts.UpdateServiceAccountScopesAsync(
                new UpdateServiceAccountScopesRequest { RequestId = NewRequestId(), ServiceAccountId = await ServiceAccountAsync(w), Scopes = { $"groups.post:{w.GroupId}" } }, h)),
            ("RevokeToken", "UDDDDDDDDO", false, async (w, h) => await Accounts.RevokeTokenAsync(
                new RevokeTokenRequest { RequestId = NewRequestId(), ServiceAccountId = await ServiceAccountAsync(w), TokenId = await ServiceTokenIdAsync(w) }, h)),
            ("DisableServiceAccount", "UDDDDDDDDO", false, async (w, h) => await Accounts.DisableServiceAccountAsync(
                new DisableServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = await ServiceAccountAsync(w) }, h)),
        };

        foreach (var (rpc, expected, call) in reads)
        {
            for (var i = 0; i < CallerKinds.Length; i++)
            {
                Check(failures, rpc, i, expected[i], await CodeOf(() => call(shared, people.Headers[i])));
            }
        }

        foreach (var (rpc, expected, consumes, call) in writes)
        {
            var world = await WorldAsync(people);
            for (var i = 0; i < CallerKinds.Length; i++)
            {
                var actual = await CodeOf(() => call(world, people.Headers[i]));
                Check(failures, rpc, i, expected[i], actual);
                if (consumes && actual == StatusCode.OK && i < CallerKinds.Length - 1)
                {
                    world = await WorldAsync(people);
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private RseOrleans.Api.V1.ServiceAccounts.ServiceAccountsClient Accounts => new(engine.Channel);

    // One service account (with one token) per world, made by the configured network admin on first use.
    private readonly Dictionary<World, (string Id, string TokenId)> serviceAccounts = [];

    private async Task<string> ServiceAccountAsync(World world) => (await ServiceAccountOfAsync(world)).Id;

    private async Task<string> ServiceTokenIdAsync(World world) => (await ServiceAccountOfAsync(world)).TokenId;

    private async Task<(string Id, string TokenId)> ServiceAccountOfAsync(World world)
    {
        if (!serviceAccounts.TryGetValue(world, out var account))
        {
            var admin = As(await engine.NetworkAdminAsync());
            var id = $"bot-{Guid.NewGuid():N}"[..16];
            await Accounts.CreateServiceAccountAsync(
                new CreateServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = id, DisplayName = "Bot", Scopes = { $"groups.read:{world.GroupId}" } }, admin);
            var token = await Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = id }, admin);
            serviceAccounts[world] = account = (id, token.Info.TokenId);
        }

        return account;
    }

    private static void Check(List<string> failures, string rpc, int caller, char expected, StatusCode actual)
    {
        var want = expected switch
        {
            'O' => StatusCode.OK,
            'U' => StatusCode.Unauthenticated,
            'D' => StatusCode.PermissionDenied,
            'N' => StatusCode.NotFound,
            'F' => StatusCode.FailedPrecondition,
            _ => throw new ArgumentOutOfRangeException(nameof(expected)),
        };
        if (want != actual)
        {
            failures.Add($"{rpc} by {CallerKinds[caller]}: expected {want}, got {actual}");
        }
    }

    /// <summary>A watch that goes live counts as OK; one refused at once throws its status.</summary>
    private async Task WatchAsync(Metadata headers)
    {
        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest(), headers);
        var responseHeaders = await watch.ResponseHeadersAsync;
        if (responseHeaders.GetValue("x-rse-watch") != "live")
        {
            // A refused watch ends at once: reading surfaces its status.
            await watch.ResponseStream.MoveNext(CancellationToken.None);
            throw new InvalidOperationException("The watch neither went live nor failed.");
        }
    }

    /// <summary>As <see cref="WatchAsync"/>, for the notifications' watch.</summary>
    private async Task WatchNotificationsAsync(Metadata headers)
    {
        using var watch = engine.Notifications.WatchNotifications(new WatchNotificationsRequest(), headers);
        var responseHeaders = await watch.ResponseHeadersAsync;
        if (responseHeaders.GetValue("x-rse-watch") != "live")
        {
            await watch.ResponseStream.MoveNext(CancellationToken.None);
            throw new InvalidOperationException("The watch neither went live nor failed.");
        }
    }

    private static async Task<StatusCode> CodeOf(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            return error.StatusCode;
        }
    }

    private sealed record People(
        string Deactivated, string Guest, string Outsider, string Member, string Author, string Moderator, string Admin, string Owner,
        string NetworkAdmin, string Star, string Newcomer, string Asker, Metadata[] Headers);

    /// <summary>The callers, shared by every world: who they are in a world depends on its group.</summary>
    private async Task<People> PeopleAsync()
    {
        var networkAdmin = await engine.NetworkAdminAsync();
        var names = new[] { "deact", "guest", "outsider", "member", "author", "moderator", "admin", "owner", "star", "newcomer", "asker" };
        var ids = new List<string>();
        foreach (var name in names)
        {
            ids.Add(await engine.CreateUserAsync(name));
        }

        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = ids[1], Role = NetworkRole.Guest }, As(networkAdmin));
        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = ids[0] }, As(networkAdmin));
        Metadata[] headers = [[], As(ids[0]), As(ids[1]), As(ids[2]), As(ids[3]), As(ids[4]), As(ids[5]), As(ids[6]), As(ids[7]), As(networkAdmin)];
        return new People(ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], networkAdmin, ids[8], ids[9], ids[10], headers);
    }

    private sealed record World(string GroupId, string PostId, string CommentId, string ProfilePostId, string Victim);

    /// <summary>A closed group with a member, the author of a post in it with their comment, a moderator, an admin and an owner; a pending join request.</summary>
    private async Task<World> WorldAsync(People p)
    {
        var group = await engine.CreateGroupAsync(p.Owner, GroupVisibility.Closed);
        foreach (var user in new[] { p.Member, p.Author, p.Moderator, p.Admin, p.Star })
        {
            await engine.AddMemberAsync(p.Owner, group.GroupId, user);
        }

        await engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = p.Moderator, Role = GroupRole.Moderator }, As(p.Owner));
        await engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = p.Admin, Role = GroupRole.Admin }, As(p.Owner));
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(p.Asker));
        var post = await engine.PostAsync(p.Author, "In the group", group.GroupId);
        var comment = await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "A comment" }, As(p.Author));
        var profilePost = await engine.PostAsync(p.Author, "On the profile");
        var victim = await engine.CreateUserAsync("victim");
        return new World(group.GroupId, post.PostId, comment.CommentId, profilePost.PostId, victim);
    }
}
