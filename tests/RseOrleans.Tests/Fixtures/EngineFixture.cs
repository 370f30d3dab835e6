using Grpc.Core;
using Grpc.Net.Client;
using RseOrleans.Api.V1;

namespace RseOrleans.Tests.Fixtures;

/// <summary>
/// The engine most API tests share: development identity, no write limit. What a client app sees.
/// </summary>
public sealed class EngineFixture : EngineClient, IAsyncLifetime
{
    private RunningEngine? engine;

    /// <summary>The user the engine's Network:Admins setting names; <see cref="EngineClient.NetworkAdminAsync"/> creates the account.</summary>
    public const string NetworkAdmin = "network-admin";

    public Uri Address { get; private set; } = null!;

    /// <summary>The HTTP/1.1 endpoint: JSON, gRPC-Web and the probes.</summary>
    public Uri Http1Address { get; private set; } = null!;

    /// <summary>The engine's services: its grain factory and its silo's local read model.</summary>
    public IServiceProvider Services => engine!.Services;

    public async Task InitializeAsync()
    {
        engine = await RunningEngine.StartAsync(
            "test",
            "--LiveFeed:WatchLease=00:00:03",
            $"--Network:Admins:0={NetworkAdmin}",
            // The shared engine serves many tests at once, all writing as fast as they can.
            "--Limits:WritesPerMinute=0");
        Address = engine.Address;
        Http1Address = engine.Http1Address;
        Connect(engine.Channel);
    }

    public async Task DisposeAsync()
    {
        if (engine is not null)
        {
            await engine.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "engine";
}
