using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Silo;

namespace RseOrleans.Tests.Fixtures;

/// <summary>The real engine with a write limit small enough to reach in a test: 3 at once, then 1 a minute.</summary>
public sealed class LimitedWritesEngineFixture : IAsyncLifetime
{
    public const int Burst = 3;

    private WebApplication? app;

    public GrpcChannel Channel { get; private set; } = null!;

    public Users.UsersClient Users { get; private set; } = null!;

    public Posts.PostsClient Posts { get; private set; } = null!;

    public Feeds.FeedsClient Feeds { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        app = RseHost.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Orleans:SiloPort={EngineFixture.FreeTcpPort()}",
            $"--Orleans:GatewayPort={EngineFixture.FreeTcpPort()}",
            $"--Orleans:ClusterId=test-limits-{Guid.NewGuid():N}",
            "--Logging:LogLevel:Default=Warning",
            "--Limits:WritesPerMinute=1",
            $"--Limits:WriteBurst={Burst}",
        ]);
        await app.StartAsync();

        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        Channel = GrpcChannel.ForAddress(new Uri(addresses.Addresses.First()));
        Users = new Users.UsersClient(Channel);
        Posts = new Posts.PostsClient(Channel);
        Feeds = new Feeds.FeedsClient(Channel);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async Task<string> CreateUserAsync(string name)
    {
        var userId = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];
        await Users.CreateUserAsync(new CreateUserRequest
        {
            RequestId = EngineFixture.NewRequestId(),
            UserId = userId,
            Profile = new Profile { DisplayName = name, TimeZone = "Europe/Paris", Language = "fr-FR" },
        });
        return userId;
    }
}
