using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Auth;

[Collection(EngineCollection.Name)]
public sealed class AccountAdministrationTests(EngineFixture engine)
{
    [Fact]
    public async Task Only_network_admins_run_accounts_and_roles()
    {
        var configuredAdmin = await engine.NetworkAdminAsync();
        var promotedAdmin = await engine.CreateUserAsync("promoted");
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = promotedAdmin, Role = NetworkRole.Admin }, As(configuredAdmin));
        var member = await engine.CreateUserAsync("member");
        var deactivated = await engine.CreateUserAsync("gone");
        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = deactivated }, As(configuredAdmin));

        var callers = new (string Name, Metadata Headers, StatusCode ForAdminCalls)[]
        {
            ("configured network admin", As(configuredAdmin), StatusCode.OK),
            ("promoted network admin", As(promotedAdmin), StatusCode.OK),
            ("member", As(member), StatusCode.PermissionDenied),
            ("deactivated member", As(deactivated), StatusCode.PermissionDenied),
            ("nobody", [], StatusCode.Unauthenticated),
        };

        var failures = new List<string>();
        foreach (var (name, headers, expected) in callers)
        {
            // A fresh target per caller, so that each call starts from the same state.
            var target = await engine.CreateUserAsync("target");
            var calls = new (string Rpc, Func<Task> Call)[]
            {
                ("GetAccount of another user", () => engine.Admin.GetAccountAsync(new GetAccountRequest { UserId = target }, headers).ResponseAsync),
                ("SetNetworkRole", () => engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = target, Role = NetworkRole.Member }, headers).ResponseAsync),
                ("DeactivateUser", () => engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = target }, headers).ResponseAsync),
                ("ReactivateUser", () => engine.Admin.ReactivateUserAsync(new ReactivateUserRequest { RequestId = NewRequestId(), UserId = target }, headers).ResponseAsync),
            };

            foreach (var (rpc, call) in calls)
            {
                var actual = await CodeOf(call);
                if (actual != expected)
                {
                    failures.Add($"{rpc} by {name}: expected {expected}, got {actual}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Everyone_reads_their_own_account()
    {
        var member = await engine.CreateUserAsync("member");

        var own = await engine.Admin.GetAccountAsync(new GetAccountRequest(), As(member));

        Assert.Equal(member, own.UserId);
        Assert.Equal(NetworkRole.Member, own.Role);
        Assert.Equal(AccountStatus.Active, own.Status);
        Assert.False(own.ConfiguredAdmin);
    }

    [Fact]
    public async Task A_deactivated_account_can_call_nothing_until_reactivated_and_its_posts_stay()
    {
        var admin = await engine.NetworkAdminAsync();
        var leaver = await engine.CreateUserAsync("leaver");
        var colleague = await engine.CreateUserAsync("colleague");
        var post = await engine.PostAsync(leaver, "Handing over the project");

        var account = await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = leaver }, As(admin));
        Assert.Equal(AccountStatus.Deactivated, account.Status);
        Assert.NotNull(account.StatusChangeTime);

        var calls = new (string Rpc, Func<Task> Call)[]
        {
            ("GetUser", () => engine.Users.GetUserAsync(new GetUserRequest { UserId = leaver }, As(leaver)).ResponseAsync),
            ("GetHomeFeed", () => engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), As(leaver)).ResponseAsync),
            ("CreatePost", () => engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "Still here?" }, As(leaver)).ResponseAsync),
            ("FollowUser", () => engine.Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = colleague }, As(leaver)).ResponseAsync),
            ("CreateGroup", () => engine.Groups.CreateGroupAsync(new CreateGroupRequest { RequestId = NewRequestId(), Name = "G", Visibility = GroupVisibility.Open }, As(leaver)).ResponseAsync),
            ("GetAccount", () => engine.Admin.GetAccountAsync(new GetAccountRequest(), As(leaver)).ResponseAsync),
        };
        foreach (var (rpc, call) in calls)
        {
            var detail = await RpcAssert.FailsWith(StatusCode.PermissionDenied, call);
            Assert.Contains("deactivated", detail, StringComparison.Ordinal);
        }

        var seenByColleague = await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(colleague));
        Assert.Equal("Handing over the project", seenByColleague.Text);

        await engine.Admin.ReactivateUserAsync(new ReactivateUserRequest { RequestId = NewRequestId(), UserId = leaver }, As(admin));
        Assert.Contains(await engine.HomeFeedAsync(leaver), item => item.Post.PostId == post.PostId);
    }

    [Fact]
    public async Task Deactivation_ends_the_open_live_watches_of_the_account()
    {
        var admin = await engine.NetworkAdminAsync();
        var leaver = await engine.CreateUserAsync("leaver");
        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest(), As(leaver));
        await watch.ResponseHeadersAsync;

        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = leaver }, As(admin));

        var detail = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains("deactivated", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Network_admins_cannot_lock_themselves_or_the_configured_admins_out()
    {
        var configuredAdmin = await engine.NetworkAdminAsync();
        var promotedAdmin = await engine.CreateUserAsync("promoted");
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = promotedAdmin, Role = NetworkRole.Admin }, As(configuredAdmin));

        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Admin.DeactivateUserAsync(
            new DeactivateUserRequest { RequestId = NewRequestId(), UserId = promotedAdmin }, As(promotedAdmin)));
        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Admin.SetNetworkRoleAsync(
            new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = promotedAdmin, Role = NetworkRole.Member }, As(promotedAdmin)));
        var detail = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => engine.Admin.SetNetworkRoleAsync(
            new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = configuredAdmin, Role = NetworkRole.Member }, As(promotedAdmin)));
        Assert.Contains("Network:Admins", detail, StringComparison.Ordinal);

        var configured = await engine.Admin.GetAccountAsync(new GetAccountRequest { UserId = configuredAdmin }, As(promotedAdmin));
        Assert.True(configured.ConfiguredAdmin);
        Assert.Equal(NetworkRole.Admin, configured.Role);
    }

    [Fact]
    public async Task A_demoted_admin_loses_the_admin_calls_at_once()
    {
        var configuredAdmin = await engine.NetworkAdminAsync();
        var formerAdmin = await engine.CreateUserAsync("former");
        var someone = await engine.CreateUserAsync("someone");
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = formerAdmin, Role = NetworkRole.Admin }, As(configuredAdmin));

        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = formerAdmin, Role = NetworkRole.Member }, As(configuredAdmin));

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Admin.DeactivateUserAsync(
            new DeactivateUserRequest { RequestId = NewRequestId(), UserId = someone }, As(formerAdmin)));
    }

    [Fact]
    public async Task Admin_calls_name_the_field_that_is_wrong()
    {
        var admin = await engine.NetworkAdminAsync();

        await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Admin.SetNetworkRoleAsync(
            new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = admin }, As(admin)));
        await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Admin.DeactivateUserAsync(
            new DeactivateUserRequest { UserId = "someone" }, As(admin)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Admin.DeactivateUserAsync(
            new DeactivateUserRequest { RequestId = NewRequestId(), UserId = "nobody-at-all" }, As(admin)));
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
}
