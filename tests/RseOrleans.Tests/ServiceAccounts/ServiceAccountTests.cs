using System.Net;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.ServiceAccounts;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Http;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.ServiceAccounts;

/// <summary>
/// Service accounts: a business application posts into and reads the groups its scopes name with
/// an API token of its own, its posts say they come from an application, and a token that is
/// revoked, expired, or whose account is disabled, is refused.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ServiceAccountTests(EngineFixture engine)
{
    private RseOrleans.Api.V1.ServiceAccounts.ServiceAccountsClient Accounts => new(engine.Channel);

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    [Fact]
    public async Task A_CRM_announces_a_signed_deal_in_the_sales_group_and_members_see_it_as_from_the_application()
    {
        var (admin, seller, outsider, sales, crm, token) = await SalesGroupWithACrmAsync("Sales CRM");

        // The CRM's outgoing hook: plain HTTP/1.1 and JSON, the token as a bearer token.
        using var http = JsonApi.Http11(engine.Http1Address);
        var posted = await http.SendAsync(HttpMethod.Post, $"/v1/groups/{sales.GroupId}/posts", caller: null,
            new { request_id = NewRequestId(), text = "Deal signed: ACME buys 300 vans" }, bearer: token);

        Assert.True(posted.Status == HttpStatusCode.OK, posted.ToString());
        Assert.Equal("AUTHOR_KIND_APPLICATION", posted.Text("authorKind"));
        Assert.Equal("Sales CRM", posted.Text("application"));
        Assert.Equal($"app:{crm}", posted.Text("authorId"));
        var postId = posted.Text("postId");

        FeedItem? inFeed = null;
        await Eventually.TrueAsync(
            async () => (inFeed = (await engine.HomeFeedAsync(seller)).FirstOrDefault(item => item.Post.PostId == postId)) is not null,
            "the CRM's post in the seller's home feed");
        Assert.Equal(AuthorKind.Application, inFeed!.Post.AuthorKind);
        Assert.Equal("Sales CRM", inFeed.Post.Application);
        Assert.Equal("Sales CRM", inFeed.Post.AuthorDisplayName);

        // A non-member of the closed group sees nothing of it.
        Assert.DoesNotContain(await engine.HomeFeedAsync(outsider), item => item.Post.PostId == postId);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = postId }, As(outsider)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = sales.GroupId }, As(outsider)));

        // Revoked: the very next call is refused.
        var tokenId = (await Accounts.ListTokensAsync(new ListTokensRequest { ServiceAccountId = crm }, As(admin))).Tokens.Single().TokenId;
        await Accounts.RevokeTokenAsync(new RevokeTokenRequest { RequestId = NewRequestId(), ServiceAccountId = crm, TokenId = tokenId }, As(admin));
        var refused = await http.SendAsync(HttpMethod.Post, $"/v1/groups/{sales.GroupId}/posts", caller: null,
            new { request_id = NewRequestId(), text = "Another deal" }, bearer: token);
        Assert.True(refused.Status == HttpStatusCode.Unauthorized, refused.ToString());
        Assert.Contains("revoked", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_application_posts_and_reads_only_the_groups_its_scopes_name_and_never_acts_as_a_person()
    {
        var admin = await engine.NetworkAdminAsync();
        var member = await engine.CreateUserAsync("member");
        var mine = await engine.CreateGroupAsync(admin, GroupVisibility.Closed, name: "Mine");
        var readOnly = await engine.CreateGroupAsync(admin, GroupVisibility.Secret, name: "Read only");
        var other = await engine.CreateGroupAsync(admin, GroupVisibility.Open, name: "Other");
        foreach (var group in new[] { mine, readOnly, other })
        {
            await engine.AddMemberAsync(admin, group.GroupId, member);
        }

        var bot = await CreateAccountAsync(admin, "bot", "Bot", ServiceAccountScopes(post: [mine.GroupId], read: [readOnly.GroupId]));
        var token = Bearer((await Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = bot }, As(admin))).Token);
        var memberPost = await engine.PostAsync(member, "in the read-only group", readOnly.GroupId);
        var otherPost = await engine.PostAsync(member, "in the other group", other.GroupId);
        var profilePost = await engine.PostAsync(member, "on my profile");

        // Posting: into its group only, never on a profile.
        var own = await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = mine.GroupId, Text = "build green" }, token);
        Assert.Equal(AuthorKind.Application, own.AuthorKind);
        var denied = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () =>
            engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = readOnly.GroupId, Text = "x" }, token));
        Assert.Contains($"groups.post:{readOnly.GroupId}", denied, StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () =>
            engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "x" }, token));

        // Reading: its groups, as a member reads them; another group is refused naming the scope.
        var readable = await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = readOnly.GroupId }, token);
        Assert.Contains(readable.Items, item => item.Post.PostId == memberPost.PostId);
        Assert.Contains((await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = mine.GroupId }, token)).Items, item => item.Post.PostId == own.PostId);
        var unread = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () =>
            engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = other.GroupId }, token));
        Assert.Contains($"groups.read:{other.GroupId}", unread, StringComparison.Ordinal);
        Assert.Equal(memberPost.PostId, (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = memberPost.PostId }, token)).PostId);
        // Even an open group's post, or a person's profile post, does not exist for it.
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = otherPost.PostId }, token));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = profilePost.PostId }, token));

        // Everything a person does is refused, naming the call.
        var homeFeed = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), token));
        Assert.Contains("GetHomeFeed", homeFeed, StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = member }, token));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), token));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = other.GroupId }, token));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = memberPost.PostId, Type = ReactionType.Like }, token));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => Accounts.ListServiceAccountsAsync(new ListServiceAccountsRequest(), token));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Admin.ListAuditLogAsync(new ListAuditLogRequest(), token));

        // Scopes taken away count at once.
        await Accounts.UpdateServiceAccountScopesAsync(new UpdateServiceAccountScopesRequest { RequestId = NewRequestId(), ServiceAccountId = bot }, As(admin));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () =>
            engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = mine.GroupId, Text = "again" }, token));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Posts.GetPostAsync(new GetPostRequest { PostId = memberPost.PostId }, token));
    }

    [Fact]
    public async Task A_token_is_shown_once_listed_without_its_secret_and_refused_once_expired_revoked_or_its_account_disabled()
    {
        var admin = await engine.NetworkAdminAsync();
        var group = await engine.CreateGroupAsync(admin, GroupVisibility.Open, name: "Builds");
        var bot = await CreateAccountAsync(admin, "ci", "CI", ServiceAccountScopes(post: [group.GroupId]));
        var issued = await Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = bot, ValidDays = 30 }, As(admin));
        Assert.StartsWith($"rse_{bot}_{issued.Info.TokenId}_", issued.Token, StringComparison.Ordinal);
        Assert.StartsWith(issued.Info.Prefix, issued.Token, StringComparison.Ordinal);
        Assert.InRange(issued.Info.ExpireTime.ToDateTimeOffset() - issued.Info.CreateTime.ToDateTimeOffset(), TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1), TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));

        await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = "green" }, Bearer(issued.Token));
        var listed = (await Accounts.ListTokensAsync(new ListTokensRequest { ServiceAccountId = bot }, As(admin))).Tokens.Single();
        Assert.NotNull(listed.LastUseTime);
        Assert.DoesNotContain(issued.Token[(issued.Info.Prefix.Length + 1)..], listed.ToString(), StringComparison.Ordinal);

        // Made wrong: another secret, a cut token, a token of an unknown account.
        var secret = issued.Token[(issued.Info.Prefix.Length + 1)..];
        var otherSecret = issued.Info.Prefix + "_" + new string(secret.Reverse().ToArray());
        foreach (var wrong in new[] { otherSecret, issued.Token[..^1], $"rse_nobody_{issued.Info.TokenId}_{secret}" })
        {
            await RpcAssert.FailsWith(StatusCode.Unauthenticated, () =>
                engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = "x" }, Bearer(wrong)));
        }

        // Expired: a token whose expiry has passed, stored as the API stores any.
        var expired = ServiceTokens.Issue(bot);
        await engine.Services.GetRequiredService<IGrainFactory>().GetGrain<IServiceAccountGrain>(bot)
            .AddToken(expired.TokenId, expired.VisiblePrefix, expired.SecretHash, DateTimeOffset.UtcNow.AddSeconds(-1));
        var expiry = await RpcAssert.FailsWith(StatusCode.Unauthenticated, () =>
            engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = "x" }, Bearer(expired.Token)));
        Assert.Contains("expired", expiry, StringComparison.Ordinal);

        // Disabled: every token of the account stops, and it gets no new one.
        await Accounts.DisableServiceAccountAsync(new DisableServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = bot }, As(admin));
        var disabled = await RpcAssert.FailsWith(StatusCode.Unauthenticated, () =>
            engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = "x" }, Bearer(issued.Token)));
        Assert.Contains("disabled", disabled, StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = bot }, As(admin)));
    }

    [Fact]
    public async Task A_revocation_made_elsewhere_reaches_this_process_within_the_verification_cache_time()
    {
        var admin = await engine.NetworkAdminAsync();
        var group = await engine.CreateGroupAsync(admin, GroupVisibility.Open, name: "Alerts");
        var bot = await CreateAccountAsync(admin, "alerts", "Alerts", ServiceAccountScopes(read: [group.GroupId]));
        var issued = await Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = bot }, As(admin));
        await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId }, Bearer(issued.Token));

        // Straight to the grain, as another process's API would: this process's cache is not told.
        var revokedAt = DateTime.UtcNow;
        await engine.Services.GetRequiredService<IGrainFactory>().GetGrain<IServiceAccountGrain>(bot).RevokeToken(issued.Info.TokenId);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await engine.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId }, Bearer(issued.Token));
                return false;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                return true;
            }
        }, "the revoked token refused");

        var cache = new ServiceAccountOptions().VerificationCache;
        Assert.True(DateTime.UtcNow - revokedAt < cache + TimeSpan.FromSeconds(5), $"refused after {DateTime.UtcNow - revokedAt}, the cache keeps {cache}");
    }

    [Fact]
    public async Task Only_network_admins_manage_service_accounts_and_bad_input_is_named()
    {
        var admin = await engine.NetworkAdminAsync();
        var member = await engine.CreateUserAsync("member");
        var group = await engine.CreateGroupAsync(admin, GroupVisibility.Open, name: "G");
        var id = $"app-{Guid.NewGuid():N}"[..16];

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => Accounts.CreateServiceAccountAsync(
            new CreateServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = id, DisplayName = "X" }, As(member)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => Accounts.ListServiceAccountsAsync(new ListServiceAccountsRequest(), As(member)));

        Assert.StartsWith("scopes:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => Accounts.CreateServiceAccountAsync(
            new CreateServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = id, DisplayName = "X", Scopes = { "admin" } }, As(admin))), StringComparison.Ordinal);
        Assert.StartsWith("scopes:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => Accounts.CreateServiceAccountAsync(
            new CreateServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = id, DisplayName = "X", Scopes = { "groups.post:no-such-group" } }, As(admin))), StringComparison.Ordinal);
        Assert.StartsWith("service_account_id:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => Accounts.CreateServiceAccountAsync(
            new CreateServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = "Bad_Id", DisplayName = "X" }, As(admin))), StringComparison.Ordinal);

        var created = await Accounts.CreateServiceAccountAsync(new CreateServiceAccountRequest
        {
            RequestId = NewRequestId(), ServiceAccountId = id, DisplayName = "Files", Scopes = { $"groups.read:{group.GroupId}", "webhooks.receive" },
        }, As(admin));
        Assert.Equal(admin, created.OwnerId);
        Assert.Equal(["groups.read:" + group.GroupId, "webhooks.receive"], created.Scopes);
        await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => Accounts.CreateServiceAccountAsync(
            new CreateServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = id, DisplayName = "Other" }, As(admin)));
        Assert.Contains((await Accounts.ListServiceAccountsAsync(new ListServiceAccountsRequest(), As(admin))).ServiceAccounts, account => account.ServiceAccountId == id);
        Assert.StartsWith("valid_days:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () =>
            Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = id, ValidDays = 400 }, As(admin))), StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = "no-such-account" }, As(admin)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => Accounts.RevokeTokenAsync(
            new RevokeTokenRequest { RequestId = NewRequestId(), ServiceAccountId = id, TokenId = "0123456789abcdef" }, As(admin)));
    }

    [Fact]
    public async Task A_bot_s_mention_notifies_the_mentioned_person_who_may_read_the_post_naming_the_application()
    {
        var (_, seller, outsider, sales, crm, token) = await SalesGroupWithACrmAsync("Deals CRM");

        var post = await engine.Posts.CreatePostAsync(new CreatePostRequest
        {
            RequestId = NewRequestId(), GroupId = sales.GroupId, Text = $"Deal signed by @{seller}, well done (cc @{outsider})",
        }, Bearer(token));

        // The seller, a member of the closed group, is told, and the actor is the application.
        await AssertToldByTheApplicationAsync(seller, NotificationKind.Mention, post.PostId, crm, "Deals CRM");

        // The outsider may not read the closed group's post: mentioned or not, they are told nothing of it.
        var outsiders = await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), As(outsider));
        Assert.DoesNotContain(outsiders.Groups, group => group.PostId == post.PostId);
        Assert.Equal(0, (await engine.Notifications.GetUnreadCountAsync(new GetUnreadCountRequest(), As(outsider))).Notifications);
    }

    [Fact]
    public async Task An_application_s_group_post_reaches_the_members_who_asked_for_every_post_naming_the_application()
    {
        var (_, keen, outsider, sales, crm, token) = await SalesGroupWithACrmAsync("Deals CRM");
        foreach (var person in new[] { keen, outsider })
        {
            await engine.Notifications.UpdateNotificationSettingsAsync(new UpdateNotificationSettingsRequest
            {
                RequestId = NewRequestId(),
                Settings = new NotificationSettings { GroupLevels = { new GroupLevel { GroupId = sales.GroupId, Level = GroupNotificationLevel.All } } },
            }, As(person));
        }

        var post = await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = sales.GroupId, Text = "Deal signed: ACME buys 300 vans" }, Bearer(token));

        // The member at level "all" hears of the post, from the application, by its display name.
        await AssertToldByTheApplicationAsync(keen, NotificationKind.NewGroupPost, post.PostId, crm, "Deals CRM");

        // Asking for every post of a closed group one is not in tells nothing of them.
        var outsiders = await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), As(outsider));
        Assert.DoesNotContain(outsiders.Groups, group => group.PostId == post.PostId);
    }

    /// <summary>Notifications arrive one way, after the post: waits for the person's, whose one actor is the application, named.</summary>
    private async Task AssertToldByTheApplicationAsync(string person, NotificationKind kind, string postId, string accountId, string displayName)
    {
        NotificationGroup? told = null;
        await Eventually.TrueAsync(async () =>
            (told = (await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), As(person))).Groups
                .FirstOrDefault(group => group.Kind == kind && group.PostId == postId)) is not null,
            $"{person}'s {kind} notification of the application's post");
        var actor = Assert.Single(told!.RecentActors);
        Assert.Equal(($"app:{accountId}", displayName), (actor.UserId, actor.DisplayName));
    }

    /// <summary>A closed sales group with one member, someone outside it, and a CRM allowed to post there, with a token.</summary>
    private async Task<(string Admin, string Seller, string Outsider, Group Sales, string Crm, string Token)> SalesGroupWithACrmAsync(string crmName)
    {
        var admin = await engine.NetworkAdminAsync();
        var seller = await engine.CreateUserAsync("seller");
        var outsider = await engine.CreateUserAsync("outsider");
        var sales = await engine.CreateGroupAsync(admin, GroupVisibility.Closed, name: "Sales");
        await engine.AddMemberAsync(admin, sales.GroupId, seller);
        var crm = await CreateAccountAsync(admin, "crm", crmName, ServiceAccountScopes(post: [sales.GroupId]));
        var token = (await Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = crm }, As(admin))).Token;
        return (admin, seller, outsider, sales, crm, token);
    }

    private async Task<string> CreateAccountAsync(string admin, string name, string displayName, IEnumerable<string> scopes)
    {
        var id = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];
        await Accounts.CreateServiceAccountAsync(new CreateServiceAccountRequest
        {
            RequestId = NewRequestId(), ServiceAccountId = id, DisplayName = displayName, Scopes = { scopes },
        }, As(admin));
        return id;
    }

    private static string[] ServiceAccountScopes(IEnumerable<string>? post = null, IEnumerable<string>? read = null) =>
        [.. (post ?? []).Select(group => $"groups.post:{group}"), .. (read ?? []).Select(group => $"groups.read:{group}")];
}
