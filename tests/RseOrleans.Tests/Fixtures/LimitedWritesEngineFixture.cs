using Grpc.Net.Client;
using RseOrleans.Api.V1;

namespace RseOrleans.Tests.Fixtures;

/// <summary>The real engine with a write limit small enough to reach in a test: 3 at once, then 1 a minute.</summary>
public sealed class LimitedWritesEngineFixture : IAsyncLifetime
{
    public const int Burst = 3;

    private RunningEngine? engine;

    public GrpcChannel Channel { get; private set; } = null!;

    public Users.UsersClient Users { get; private set; } = null!;

    public Posts.PostsClient Posts { get; private set; } = null!;

    public Feeds.FeedsClient Feeds { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        engine = await RunningEngine.StartAsync("test-limits", "--Limits:WritesPerMinute=1", $"--Limits:WriteBurst={Burst}");
        Channel = engine.Channel;
        Users = new Users.UsersClient(Channel);
        Posts = new Posts.PostsClient(Channel);
        Feeds = new Feeds.FeedsClient(Channel);
    }

    public async Task DisposeAsync()
    {
        if (engine is not null)
        {
            await engine.DisposeAsync();
        }
    }

    public async Task<string> CreateUserAsync(string name)
    {
        var userId = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];
        await Users.CreateUserAsync(new CreateUserRequest
        {
            RequestId = EngineClient.NewRequestId(),
            UserId = userId,
            Profile = new Profile { DisplayName = name, TimeZone = "Europe/Paris", Language = "fr-FR" },
        });
        return userId;
    }
}
