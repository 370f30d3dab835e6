using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Webhooks;

[Collection(DatabaseServersCollection.Name)]
public sealed class WebhookRestartTests(DatabaseServersFixture servers)
{
    // The retry waits longer than the restart takes; only the stored queue and the reminder in
    // PostgreSQL can bring it back.
    private static readonly string[] Settings =
    [
        "--Webhooks:AllowHttp=true",
        "--Webhooks:AllowedHosts:0=127.0.0.1",
        "--Webhooks:RetryDelays:0=00:00:04",
        "--Webhooks:ReminderPeriod=00:00:02",
        $"--Network:Admins:0={EngineFixture.NetworkAdmin}",
    ];

    private static readonly Func<ReceivedDelivery, int, (int, TimeSpan)> FailsFirst = (_, earlier) => (earlier == 0 ? 500 : 200, TimeSpan.Zero);

    [Fact]
    public async Task A_retry_schedule_survives_a_restart_of_the_engine_in_durable_mode()
    {
        var stores = await DurableStores.CreateAsync(servers, "webhooks");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = FailsFirst;
        string postId;
        Webhook webhook;
        await using (var engine = await stores.StartEngineAsync("webhooks", Settings))
        {
            var api = new EngineClient(engine.Channel);
            var owner = await api.CreateUserAsync("owner");
            var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
            var webhooks = new RseOrleans.Api.V1.Webhooks.WebhooksClient(engine.Channel);
            var request = new CreateWebhookRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Url = receiver.Url };
            request.EventTypes.Add("post.created");
            webhook = await webhooks.CreateWebhookAsync(request, As(owner));
            postId = (await api.PostAsync(owner, "before the restart", group.GroupId)).PostId;
            await receiver.WaitForAsync(r => r.Count == 1, "the first, failed attempt");
        }

        var stoppedAt = DateTimeOffset.UtcNow;
        await using var restarted = await stores.StartEngineAsync("webhooks", Settings);

        var retry = await RetriedAfterRestartAsync(receiver, postId, webhook);
        Assert.True(retry.At > stoppedAt);
        var deliveries = await new RseOrleans.Api.V1.Webhooks.WebhooksClient(restarted.Channel).ListDeliveriesAsync(
            new ListDeliveriesRequest { WebhookId = webhook.WebhookId }, As(webhook.OwnerId));
        Assert.Equal([500, 200], deliveries.Deliveries.Single().Attempts.Select(a => a.StatusCode));
    }

    [Fact]
    public async Task A_bots_webhook_and_its_retry_survive_a_restart_of_the_engine_in_durable_mode()
    {
        var stores = await DurableStores.CreateAsync(servers, "bot-webhooks");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = FailsFirst;
        string postId;
        string token;
        Webhook webhook;
        await using (var engine = await stores.StartEngineAsync("bot-webhooks", Settings))
        {
            var api = new EngineClient(engine.Channel);
            var owner = await api.CreateUserAsync("owner");
            var group = await api.CreateGroupAsync(owner, GroupVisibility.Closed);
            var accounts = new RseOrleans.Api.V1.ServiceAccounts.ServiceAccountsClient(engine.Channel);
            var botId = $"bot-{Guid.NewGuid():N}"[..16];
            var admin = await api.NetworkAdminAsync();
            await accounts.CreateServiceAccountAsync(new CreateServiceAccountRequest
            {
                RequestId = NewRequestId(), ServiceAccountId = botId, DisplayName = "CRM", Scopes = { "webhooks.receive", $"groups.read:{group.GroupId}" },
            }, As(admin));
            token = (await accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = botId }, As(admin))).Token;
            var request = new CreateWebhookRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Url = receiver.Url, EventTypes = { "post.created" } };
            webhook = await new RseOrleans.Api.V1.Webhooks.WebhooksClient(engine.Channel).CreateWebhookAsync(request, Bearer(token));
            Assert.Equal($"app:{botId}", webhook.OwnerId);
            postId = (await api.PostAsync(owner, "before the restart", group.GroupId)).PostId;
            await receiver.WaitForAsync(r => r.Count == 1, "the first, failed attempt");
        }

        await using var restarted = await stores.StartEngineAsync("bot-webhooks", Settings);

        await RetriedAfterRestartAsync(receiver, postId, webhook);

        // The bot's token and webhook are stored: it reads its own webhook and log after the restart.
        var webhooks = new RseOrleans.Api.V1.Webhooks.WebhooksClient(restarted.Channel);
        Assert.Equal(webhook.WebhookId, Assert.Single((await webhooks.ListWebhooksAsync(new ListWebhooksRequest { GroupId = webhook.GroupId }, Bearer(token))).Webhooks).WebhookId);
        var deliveries = await webhooks.ListDeliveriesAsync(new ListDeliveriesRequest { WebhookId = webhook.WebhookId }, Bearer(token));
        Assert.Equal([500, 200], deliveries.Deliveries.Single().Attempts.Select(a => a.StatusCode));
    }

    /// <summary>The second attempt, after the restart: the same delivery id, the post's, signed with the webhook's secret.</summary>
    private static async Task<ReceivedDelivery> RetriedAfterRestartAsync(WebhookReceiver receiver, string postId, Webhook webhook)
    {
        var received = await receiver.WaitForAsync(r => r.Count == 2, "the retry after the restart");
        Assert.Equal(received[0].Id, received[1].Id);
        Assert.Equal(postId, received[1].Data("post_id"));
        Assert.True(received[1].IsSignedWith(webhook.Secret));
        return received[1];
    }

    private static Grpc.Core.Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };
}
