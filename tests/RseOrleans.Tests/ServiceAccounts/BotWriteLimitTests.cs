using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.ServiceAccounts;

/// <summary>
/// The per-caller write allowance holds for applications too, keyed by the service account
/// (whichever of its tokens calls), with the very answer a person over it gets.
/// </summary>
public sealed class BotWriteLimitTests : IAsyncLifetime
{
    private const int Burst = 5;
    private const string Admin = "limits-admin";

    private RunningEngine? engine;
    private EngineClient client = null!;

    public async Task InitializeAsync()
    {
        // One write a minute after the burst: nothing refills within the test.
        engine = await RunningEngine.StartAsync("test-bot-limits", "--Limits:WritesPerMinute=1", $"--Limits:WriteBurst={Burst}", $"--Network:Admins:0={Admin}");
        client = new EngineClient(engine.Channel);
    }

    public async Task DisposeAsync()
    {
        if (engine is not null)
        {
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_bot_over_its_allowance_gets_RESOURCE_EXHAUSTED_and_other_bots_and_people_still_write()
    {
        await client.Users.CreateUserAsync(new CreateUserRequest { RequestId = NewRequestId(), UserId = Admin, Profile = new Profile { DisplayName = "Admin", TimeZone = "Europe/Paris", Language = "fr-FR" } });
        var accounts = new RseOrleans.Api.V1.ServiceAccounts.ServiceAccountsClient(engine!.Channel);
        // The admin's writes: the group and two accounts (issuing a token has no request_id: no write).
        var group = await client.CreateGroupAsync(Admin, GroupVisibility.Open, name: "Builds");
        string[] scopes = [$"groups.post:{group.GroupId}"];
        foreach (var id in new[] { "busy-bot", "calm-bot" })
        {
            await accounts.CreateServiceAccountAsync(new CreateServiceAccountRequest { RequestId = NewRequestId(), ServiceAccountId = id, DisplayName = id, Scopes = { scopes } }, As(Admin));
        }

        async Task<Metadata> TokenAsync(string account) =>
            new() { { "authorization", $"Bearer {(await accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = account }, As(Admin))).Token}" } };
        Metadata[] busy = [await TokenAsync("busy-bot"), await TokenAsync("busy-bot")];
        var calm = await TokenAsync("calm-bot");

        Task<Post> PostAsync(Metadata token, string text) =>
            client.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = text }, token).ResponseAsync;

        // Its two tokens draw from one allowance: the burst, then refused, saying when to retry.
        for (var i = 0; i < Burst; i++)
        {
            await PostAsync(busy[i % 2], $"build {i} green");
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => PostAsync(busy[1], "one too many"));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.StartsWith("Too many writes", refused.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(refused.Trailers.GetValue("retry-after"));
        var refusedAgain = await Assert.ThrowsAsync<RpcException>(() => PostAsync(busy[0], "and with the other token"));
        Assert.Equal(StatusCode.ResourceExhausted, refusedAgain.StatusCode);

        // Nothing of the refused posts was written; reads are not limited.
        var feed = await client.Feeds.GetGroupFeedAsync(new GetGroupFeedRequest { GroupId = group.GroupId, PageSize = 100 }, busy[0]);
        Assert.Equal(Burst, feed.Items.Count);

        // Another bot and a person still write.
        await PostAsync(calm, "another application, its own allowance");
        await client.PostAsync(Admin, "a person, their own allowance", group.GroupId);
    }
}
