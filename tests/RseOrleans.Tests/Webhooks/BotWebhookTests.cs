using System.Net;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Http;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Webhooks;

/// <summary>
/// Webhooks owned by applications: a service account with <c>webhooks.receive</c> manages its own
/// webhooks with its token, on the groups it may read, and receives what it may read at the moment
/// of each delivery, never more.
/// </summary>
[Collection(WebhookEngineCollection.Name)]
public sealed class BotWebhookTests(WebhookEngineFixture engine)
{
    private static readonly string[] PostCreated = ["post.created"];

    [Fact]
    public async Task A_bot_with_webhooks_receive_subscribes_to_a_group_it_reads_receives_its_posts_signed_and_manages_its_own_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var (bot, token) = await engine.CreateBotAsync("webhooks.receive", $"groups.read:{group.GroupId}");
        var ownersWebhook = await engine.CreateWebhookAsync(owner, "https://hooks.example.com/owner", group.GroupId, "member.left");

        var webhook = await engine.Webhooks.CreateWebhookAsync(NewWebhook(receiver.Url, group.GroupId), token);
        Assert.Equal($"app:{bot}", webhook.OwnerId);
        var post = await engine.PostAsync(owner, "Quarterly figures are out", group.GroupId);

        var delivery = (await receiver.WaitForAsync(r => r.Count == 1, "the post's delivery")).Single();
        Assert.True(delivery.IsSignedWith(webhook.Secret), $"signature '{delivery.Signature}' does not verify");
        Assert.Equal("post.created", delivery.Type);
        Assert.Equal(post.PostId, delivery.Data("post_id"));
        Assert.DoesNotContain("Quarterly", delivery.Body, StringComparison.Ordinal);

        // It sees and manages its own webhook only; the group's admins see both.
        var listed = await engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = group.GroupId }, token);
        Assert.Equal(webhook.WebhookId, Assert.Single(listed.Webhooks).WebhookId);
        Assert.Equal(2, (await engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = group.GroupId }, As(owner))).Webhooks.Count);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Webhooks.DeleteWebhookAsync(
            new DeleteWebhookRequest { RequestId = NewRequestId(), WebhookId = ownersWebhook.WebhookId }, token));

        await Eventually.TrueAsync(
            async () => (await engine.Webhooks.ListDeliveriesAsync(new ListDeliveriesRequest { WebhookId = webhook.WebhookId }, token)).Deliveries.SingleOrDefault()?.Status == DeliveryStatus.Succeeded,
            "the delivery logged as succeeded, read with the bot's token");
        await engine.Webhooks.RedeliverWebhookAsync(new RedeliverWebhookRequest { RequestId = NewRequestId(), WebhookId = webhook.WebhookId, DeliveryId = delivery.Id }, token);
        var again = await receiver.WaitForAsync(r => r.Count == 2, "the redelivery");
        Assert.Equal(delivery.Id, again[1].Id);

        var rotated = await engine.Webhooks.UpdateWebhookAsync(new UpdateWebhookRequest { RequestId = NewRequestId(), WebhookId = webhook.WebhookId, Description = "deals", RotateSecret = true }, token);
        Assert.Equal("deals", rotated.Description);
        Assert.NotEqual(webhook.Secret, rotated.Secret);
        await engine.Webhooks.DeleteWebhookAsync(new DeleteWebhookRequest { RequestId = NewRequestId(), WebhookId = webhook.WebhookId }, token);
        Assert.Empty((await engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = group.GroupId }, token)).Webhooks);
    }

    [Fact]
    public async Task A_bot_creates_and_lists_its_webhook_over_http_json_with_its_token_and_receives_a_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var (bot, token) = await engine.CreateBotAsync("webhooks.receive", $"groups.read:{group.GroupId}");
        var bearer = token.GetValue("authorization")!["Bearer ".Length..];
        using var api = JsonApi.Http11(engine.Http1Address);

        var created = await api.SendAsync(HttpMethod.Post, "/v1/webhooks", caller: null,
            new { request_id = NewRequestId(), group_id = group.GroupId, url = receiver.Url, event_types = PostCreated }, bearer);
        Assert.True(created.Status == HttpStatusCode.OK, created.ToString());
        Assert.Equal($"app:{bot}", created.Text("ownerId"));
        var webhookId = created.Text("webhookId");
        var listed = await api.SendAsync(HttpMethod.Get, $"/v1/webhooks?group_id={group.GroupId}", caller: null, body: null, bearer);
        Assert.True(listed.Status == HttpStatusCode.OK, listed.ToString());
        Assert.Equal(webhookId, Assert.Single(listed.Body!["webhooks"]!.AsArray())!["webhookId"]!.GetValue<string>());

        var post = await engine.PostAsync(owner, "A deal signed", group.GroupId);

        var delivery = (await receiver.WaitForAsync(r => r.Count == 1, "the post's delivery")).Single();
        Assert.Equal(post.PostId, delivery.Data("post_id"));
        Assert.True(delivery.IsSignedWith(created.Text("secret")), $"signature '{delivery.Signature}' does not verify");
        await Eventually.TrueAsync(
            async () => (await api.SendAsync(HttpMethod.Get, $"/v1/webhooks/{webhookId}/deliveries", caller: null, body: null, bearer)).Body?["deliveries"]?[0]?["status"]?.GetValue<string>() == "DELIVERY_STATUS_SUCCEEDED",
            "the delivery logged as succeeded, read over JSON with the bot's token");
        var logged = await api.SendAsync(HttpMethod.Get, $"/v1/webhooks/{webhookId}/deliveries", caller: null, body: null, bearer);
        Assert.Equal(delivery.Id, Assert.Single(logged.Body!["deliveries"]!.AsArray())!["deliveryId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bot_is_refused_without_webhooks_receive_on_a_group_it_cannot_read_and_for_network_wide_events()
    {
        var owner = await engine.CreateUserAsync("owner");
        var readable = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var other = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        const string url = "https://hooks.example.com/bot";

        var (_, reader) = await engine.CreateBotAsync($"groups.read:{readable.GroupId}");
        var noScope = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Webhooks.CreateWebhookAsync(NewWebhook(url, readable.GroupId), reader));
        Assert.Contains("'webhooks.receive'", noScope, StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = readable.GroupId }, reader));

        var (_, receiving) = await engine.CreateBotAsync("webhooks.receive", $"groups.read:{readable.GroupId}");
        var unread = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Webhooks.CreateWebhookAsync(NewWebhook(url, other.GroupId), receiving));
        Assert.Contains($"'groups.read:{other.GroupId}'", unread, StringComparison.Ordinal);
        var network = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Webhooks.CreateWebhookAsync(NewWebhook(url, "", "user.created"), receiving));
        Assert.Contains("network admins", network, StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest(), receiving));

        // Posting into a group reads it too, as for its feed.
        var (_, poster) = await engine.CreateBotAsync("webhooks.receive", $"groups.post:{other.GroupId}");
        Assert.Equal(other.GroupId, (await engine.Webhooks.CreateWebhookAsync(NewWebhook(url, other.GroupId), poster)).GroupId);
    }

    [Theory]
    [InlineData("its read scope removed", "groups.read:")]
    [InlineData("webhooks.receive removed", "webhooks.receive")]
    [InlineData("its account disabled", "disabled")]
    public async Task A_bots_webhook_receives_nothing_more_once_the_bot_may_no_longer_read_the_group(string change, string reason)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var (bot, token) = await engine.CreateBotAsync("webhooks.receive", $"groups.read:{group.GroupId}");
        var webhook = await engine.Webhooks.CreateWebhookAsync(NewWebhook(receiver.Url, group.GroupId), token);
        var before = await engine.PostAsync(owner, "while it reads", group.GroupId);
        await receiver.WaitForAsync(r => r.Count == 1, "the first post");

        var admin = await engine.NetworkAdminAsync();
        if (change == "its account disabled")
        {
            await engine.Accounts.DisableServiceAccountAsync(new DisableServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = bot }, As(admin));
        }
        else
        {
            var scopes = change == "webhooks.receive removed" ? $"groups.read:{group.GroupId}" : "webhooks.receive";
            await engine.Accounts.UpdateServiceAccountScopesAsync(new UpdateServiceAccountScopesRequest { RequestId = NewRequestId(), ServiceAccountId = bot, Scopes = { scopes } }, As(admin));
        }

        var after = await engine.PostAsync(owner, $"after {change}", group.GroupId);

        // The group's owner manages the group's webhooks, the bot's included: its log says the delivery was skipped.
        await Eventually.TrueAsync(
            async () => (await engine.DeliveriesAsync(owner, webhook)).Any(d => d.Payload.Contains(after.PostId, StringComparison.Ordinal) && d.Status == DeliveryStatus.Skipped),
            "the later post's delivery skipped");
        var skipped = (await engine.DeliveriesAsync(owner, webhook)).First(d => d.Payload.Contains(after.PostId, StringComparison.Ordinal));
        Assert.Contains(reason, Assert.Single(skipped.Attempts).Error, StringComparison.Ordinal);
        Assert.Equal(before.PostId, Assert.Single(receiver.Received).Data("post_id"));
    }

    [Fact]
    public async Task A_bots_webhook_disabled_by_its_endpoint_tells_the_admin_who_owns_the_bot()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => ((int)System.Net.HttpStatusCode.Gone, TimeSpan.Zero);
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        // An admin of its own, whose notifications hold this test's only.
        var admin = await engine.CreateUserAsync("bot-admin");
        await engine.Admin.SetNetworkRoleAsync(new SetNetworkRoleRequest { RequestId = NewRequestId(), UserId = admin, Role = NetworkRole.Admin }, As(await engine.NetworkAdminAsync()));
        var (_, token) = await engine.CreateBotAsync(admin, ["webhooks.receive", $"groups.read:{group.GroupId}"]);
        var webhook = await engine.Webhooks.CreateWebhookAsync(NewWebhook(receiver.Url, group.GroupId), token);

        await engine.PostAsync(owner, "nobody home", group.GroupId);

        await Eventually.TrueAsync(
            async () => (await engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = group.GroupId }, token)).Webhooks.Single().DisabledReason == WebhookDisabledReason.Gone,
            "the webhook disabled by 410 Gone");
        await Eventually.TrueAsync(
            async () => (await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), As(admin))).Groups
                .Any(g => g.Kind == NotificationKind.WebhookDisabled && g.GroupId == group.GroupId),
            "the bot's owner told");
        Assert.Equal(webhook.WebhookId, (await engine.Webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = group.GroupId }, token)).Webhooks.Single().WebhookId);
    }

    private static CreateWebhookRequest NewWebhook(string url, string groupId, string eventType = "post.created") =>
        new() { RequestId = NewRequestId(), Url = url, GroupId = groupId, EventTypes = { eventType }, Description = "bot receiver" };
}
