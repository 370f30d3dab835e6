using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Webhooks;

/// <summary>
/// An engine whose webhooks may reach the tests' receivers on 127.0.0.1 over HTTP (by the
/// settings a development setup uses), with a retry schedule of seconds, one-second attempts and
/// three failures in a row to disable an endpoint.
/// </summary>
public sealed class WebhookEngineFixture : EngineClient, IAsyncLifetime
{
    public static readonly string[] Settings =
    [
        "--Webhooks:AllowHttp=true",
        "--Webhooks:AllowedHosts:0=127.0.0.1",
        "--Webhooks:AttemptTimeout=00:00:01",
        "--Webhooks:RetryDelays:0=00:00:00.3",
        "--Webhooks:RetryDelays:1=00:00:00.6",
        "--Webhooks:RetryDelays:2=00:00:01",
        "--Webhooks:DisableAfterFailures=3",
        "--Webhooks:ReminderPeriod=00:00:05",
    ];

    private RunningEngine? engine;

    public async Task InitializeAsync()
    {
        engine = await RunningEngine.StartAsync("webhooks", [.. Settings, $"--Network:Admins:0={EngineFixture.NetworkAdmin}", "--Limits:WritesPerMinute=0"]);
        Connect(engine.Channel);
    }

    /// <summary>The HTTP/1.1 endpoint of the JSON API.</summary>
    public Uri Http1Address => engine!.Http1Address;

    public async Task<Webhook> CreateWebhookAsync(string owner, string url, string groupId = "", params string[] eventTypes)
    {
        var request = new CreateWebhookRequest { RequestId = NewRequestId(), GroupId = groupId, Url = url, Description = "test receiver" };
        request.EventTypes.AddRange(eventTypes.Length > 0 ? eventTypes : ["post.created"]);
        return await Webhooks.CreateWebhookAsync(request, As(owner));
    }

    /// <summary>The webhook as its scope's list shows it, found on whichever page it is.</summary>
    public async Task<Webhook> GetWebhookAsync(string owner, Webhook webhook)
    {
        var request = new ListWebhooksRequest { GroupId = webhook.GroupId, PageSize = 100 };
        while (true)
        {
            var page = await Webhooks.ListWebhooksAsync(request, As(owner));
            var found = page.Webhooks.FirstOrDefault(w => w.WebhookId == webhook.WebhookId);
            if (found is not null || page.NextPageToken.Length == 0)
            {
                return found ?? throw new InvalidOperationException($"Webhook {webhook.WebhookId} is not listed.");
            }

            request.PageToken = page.NextPageToken;
        }
    }

    public RseOrleans.Api.V1.ServiceAccounts.ServiceAccountsClient Accounts => new(Channel);

    /// <summary>A service account with these scopes, created by the network admin, and the headers that carry its token.</summary>
    public async Task<(string AccountId, Metadata Token)> CreateBotAsync(params string[] scopes) =>
        await CreateBotAsync(await NetworkAdminAsync(), scopes);

    /// <summary>A service account with these scopes, created (and so owned) by <paramref name="admin"/>, a network admin.</summary>
    public async Task<(string AccountId, Metadata Token)> CreateBotAsync(string admin, string[] scopes)
    {
        var accountId = $"bot-{Guid.NewGuid():N}"[..16];
        await Accounts.CreateServiceAccountAsync(new CreateServiceAccountRequest
        {
            RequestId = NewRequestId(), ServiceAccountId = accountId, DisplayName = "Receiving bot", Scopes = { scopes },
        }, As(admin));
        var token = (await Accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = accountId }, As(admin))).Token;
        return (accountId, new Metadata { { "authorization", $"Bearer {token}" } });
    }

    public async Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(string owner, Webhook webhook) =>
        (await Webhooks.ListDeliveriesAsync(new ListDeliveriesRequest { WebhookId = webhook.WebhookId, PageSize = 100 }, As(owner))).Deliveries;

    public async Task DisposeAsync()
    {
        if (engine is not null)
        {
            await engine.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class WebhookEngineCollection : ICollectionFixture<WebhookEngineFixture>
{
    public const string Name = "webhook engine";
}
