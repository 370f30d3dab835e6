using System.Net;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Webhooks;

/// <summary>Who may subscribe to what, what a subscription may receive, and where a webhook may send.</summary>
[Collection(WebhookEngineCollection.Name)]
public sealed class WebhookRulesTests(WebhookEngineFixture engine)
{
    [Fact]
    public async Task A_group_admin_subscribes_to_their_own_group_only_and_a_member_or_a_non_admin_to_nothing()
    {
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var mine = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var theirs = await engine.CreateGroupAsync(member, GroupVisibility.Open);
        var secret = await engine.CreateGroupAsync(member, GroupVisibility.Secret);
        await engine.AddMemberAsync(owner, mine.GroupId, member);
        const string url = "https://hooks.example.com/rse";

        await engine.CreateWebhookAsync(owner, url, mine.GroupId);
        Assert.Contains("group 'g", await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.CreateWebhookAsync(owner, url, theirs.GroupId)), StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.CreateWebhookAsync(owner, url, secret.GroupId));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.CreateWebhookAsync(member, url, mine.GroupId));
        Assert.Contains("network admins", await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.CreateWebhookAsync(owner, url)), StringComparison.Ordinal);
        var networkHook = await engine.CreateWebhookAsync(await engine.NetworkAdminAsync(), url, "", "user.created");

        // Managing one is for whoever may create it.
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Webhooks.ListDeliveriesAsync(new ListDeliveriesRequest { WebhookId = networkHook.WebhookId }, As(owner)).ResponseAsync);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Webhooks.DeleteWebhookAsync(new DeleteWebhookRequest { RequestId = NewRequestId(), WebhookId = networkHook.WebhookId }, As(owner)).ResponseAsync);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = mine.GroupId }, As(member)).ResponseAsync);
        Assert.Single((await engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = mine.GroupId }, As(owner))).Webhooks);
    }

    [Fact]
    public async Task A_closed_groups_post_never_reaches_a_network_webhook_whose_admin_is_not_a_member()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = await engine.NetworkAdminAsync();
        var webhook = await engine.CreateWebhookAsync(admin, receiver.Url, "", "post.created");
        var author = await engine.CreateUserAsync("author");
        var closed = await engine.CreateGroupAsync(author, GroupVisibility.Closed);
        var secret = await engine.CreateGroupAsync(author, GroupVisibility.Secret);
        var open = await engine.CreateGroupAsync(author, GroupVisibility.Open);

        var hidden1 = await engine.PostAsync(author, "closed", closed.GroupId);
        var hidden2 = await engine.PostAsync(author, "secret", secret.GroupId);
        var shown = await engine.PostAsync(author, "open", open.GroupId);

        // Deliveries are in order: once the open group's post is in, the others were decided.
        await receiver.WaitForAsync(r => r.Any(d => d.Data("post_id") == shown.PostId), "the open group's post");
        Assert.Empty(receiver.About("post_id", hidden1.PostId));
        Assert.Empty(receiver.About("post_id", hidden2.PostId));
        var skipped = (await engine.DeliveriesAsync(admin, webhook)).Where(d => d.Status == DeliveryStatus.Skipped).ToArray();
        Assert.Contains(skipped, d => d.Payload.Contains(hidden1.PostId, StringComparison.Ordinal));
        Assert.All(skipped, d => Assert.Contains("may not read", d.Attempts.Single().Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_group_webhook_stops_receiving_once_its_owner_no_longer_administers_the_group()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await engine.CreateUserAsync("owner");
        var admin = await engine.CreateUserAsync("admin");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        await engine.AddMemberAsync(owner, group.GroupId, admin);
        await engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = admin, Role = GroupRole.Admin }, As(owner));
        await engine.CreateWebhookAsync(admin, receiver.Url, group.GroupId, "post.created");
        var before = await engine.PostAsync(owner, "while admin", group.GroupId);
        await receiver.WaitForAsync(r => r.Count == 1, "the first post");

        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = admin }, As(owner));
        var after = await engine.PostAsync(owner, "after removal", group.GroupId);
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(before.PostId, Assert.Single(receiver.Received).Data("post_id"));
        Assert.Empty(receiver.About("post_id", after.PostId));
    }

    [Theory]
    [InlineData("http://localhost:8080/hook", "local")]
    [InlineData("http://10.1.2.3/hook", "private")]
    [InlineData("http://169.254.169.254/latest/meta-data", "metadata")]
    [InlineData("http://[::1]:8080/hook", "loopback")]
    [InlineData("http://192.168.1.10/hook", "private")]
    [InlineData("ftp://hooks.example.com/hook", "http")]
    [InlineData("not a url", "absolute")]
    [InlineData("https://user:pw@hooks.example.com/hook", "password")]
    public async Task A_webhook_may_not_target_local_private_or_metadata_addresses(string url, string said)
    {
        var admin = await engine.NetworkAdminAsync();

        var message = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.CreateWebhookAsync(admin, url, "", "user.created"));

        Assert.StartsWith("url:", message, StringComparison.Ordinal);
        Assert.Contains(said, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_event_types_are_refused_naming_the_field()
    {
        var admin = await engine.NetworkAdminAsync();
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);

        Assert.StartsWith("event_types:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.CreateWebhookAsync(admin, "https://hooks.example.com/h", "", "post.exploded")), StringComparison.Ordinal);
        Assert.StartsWith("event_types:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.CreateWebhookAsync(owner, "https://hooks.example.com/h", group.GroupId, "user.created")), StringComparison.Ordinal);
        Assert.StartsWith("event_types:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => engine.Webhooks.CreateWebhookAsync(
            new CreateWebhookRequest { RequestId = NewRequestId(), Url = "https://hooks.example.com/h" }, As(admin)).ResponseAsync), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_name_that_resolves_to_a_private_address_is_refused_when_the_delivery_connects()
    {
        // The machine's own name passes the check of the URL, and resolves to loopback or a private
        // address: the check on the address dialled is what refuses it (as for DNS rebinding).
        await using var receiver = await WebhookReceiver.StartAsync();
        var port = new Uri(receiver.Url).Port;
        var admin = await engine.NetworkAdminAsync();
        var webhook = await engine.CreateWebhookAsync(admin, $"http://{Dns.GetHostName()}:{port}/hook", "", "user.created");

        var user = await engine.CreateUserAsync("newcomer");

        await Eventually.TrueAsync(
            async () => (await engine.DeliveriesAsync(admin, webhook)).Any(d => d.Payload.Contains(user, StringComparison.Ordinal) && d.Attempts.Count > 0),
            "a failed attempt");
        var attempt = (await engine.DeliveriesAsync(admin, webhook)).First(d => d.Payload.Contains(user, StringComparison.Ordinal)).Attempts[0];
        Assert.Equal(0, attempt.StatusCode);
        Assert.Contains("may not target", attempt.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public void Https_is_required_unless_plain_http_is_allowed_for_development()
    {
        var production = new RseOrleans.Model.WebhookOptions();
        Assert.Contains("https", RseOrleans.Model.WebhookTargets.Refusal("http://hooks.example.com/h", production), StringComparison.Ordinal);
        Assert.Null(RseOrleans.Model.WebhookTargets.Refusal("https://hooks.example.com/h", production));
        Assert.Null(RseOrleans.Model.WebhookTargets.Refusal("http://hooks.example.com/h", new RseOrleans.Model.WebhookOptions { AllowHttp = true }));
        Assert.NotNull(RseOrleans.Model.WebhookTargets.Refusal("https://127.0.0.1/h", production));
        Assert.Null(RseOrleans.Model.WebhookTargets.Refusal("https://127.0.0.1/h", new RseOrleans.Model.WebhookOptions { AllowPrivateAddresses = true }));
        Assert.True(RseOrleans.Model.WebhookTargets.IsDenied(IPAddress.Parse("::ffff:10.0.0.1")));
        Assert.True(RseOrleans.Model.WebhookTargets.IsDenied(IPAddress.Parse("fd00:ec2::254")));
        Assert.True(RseOrleans.Model.WebhookTargets.IsDenied(IPAddress.Parse("fe80::1")));
        Assert.True(RseOrleans.Model.WebhookTargets.IsDenied(IPAddress.Parse("100.64.0.1")));
        Assert.False(RseOrleans.Model.WebhookTargets.IsDenied(IPAddress.Parse("93.184.216.34")));
        Assert.False(RseOrleans.Model.WebhookTargets.IsDenied(IPAddress.Parse("2606:2800:220:1:248:1893:25c8:1946")));
    }

    [Fact]
    public async Task A_long_list_of_webhooks_comes_in_pages_and_a_bad_page_size_or_token_is_refused_naming_the_field()
    {
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await engine.CreateWebhookAsync(owner, $"https://hooks.example.com/rse/{i}", group.GroupId)).WebhookId);
        }

        var listed = new List<string>();
        var request = new ListWebhooksRequest { GroupId = group.GroupId, PageSize = 2 };
        var pages = 0;
        do
        {
            var page = await engine.Webhooks.ListWebhooksAsync(request, As(owner));
            Assert.InRange(page.Webhooks.Count, 1, 2);
            listed.AddRange(page.Webhooks.Select(webhook => webhook.WebhookId));
            request.PageToken = page.NextPageToken;
            pages++;
        }
        while (request.PageToken.Length > 0);

        Assert.Equal(3, pages);
        Assert.Equal(created.Order(StringComparer.Ordinal), listed);

        Assert.StartsWith("page_size:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () =>
            engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = group.GroupId, PageSize = 101 }, As(owner)).ResponseAsync), StringComparison.Ordinal);
        Assert.StartsWith("page_token:", await RpcAssert.FailsWith(StatusCode.InvalidArgument, () =>
            engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = group.GroupId, PageToken = "not-a-token" }, As(owner)).ResponseAsync), StringComparison.Ordinal);
    }
}
