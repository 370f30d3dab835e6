using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Grains;
using RseOrleans.Silo;
using RseOrleans.TestServers;

namespace RseOrleans.Benchmarks;

/// <summary>
/// The engine process as it is deployed (the gRPC API and its silo, on free loopback ports), and a
/// gRPC channel to it for the benchmark's callers.
/// </summary>
internal sealed class BenchmarkEngine : IAsyncDisposable
{
    private readonly WebApplication app;

    private BenchmarkEngine(WebApplication app, GrpcChannel channel)
    {
        this.app = app;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public IGrainFactory Grains => app.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => app.Services;

    /// <param name="settings">The benchmark's own command-line settings, such as <c>--Auth:Mode=Jwt</c>.</param>
    public static async Task<BenchmarkEngine> StartAsync(params string[] settings)
    {
        var app = RseHost.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Orleans:SiloPort={BenchmarkSilo.FreePort()}",
            $"--Orleans:GatewayPort={BenchmarkSilo.FreePort()}",
            $"--Orleans:ClusterId=bench-{Guid.NewGuid():N}",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        // Many people calling at once come over many connections: one connection's 100 streams
        // would queue their calls in the client, not in the engine.
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
        return new BenchmarkEngine(app, channel);
    }

    /// <summary>
    /// The engine in durable mode on <paramref name="postgres"/> and <paramref name="redis"/>, started
    /// here, with verified tokens; <paramref name="settings"/> adds to its command line.
    /// </summary>
    public static async Task<BenchmarkEngine> StartDurableAsync(PostgresServer postgres, RedisServer redis, params string[] settings)
    {
        await Task.WhenAll(postgres.StartAsync(), redis.StartAsync());
        return await StartAsync(
        [
            "--Engine:Mode=Durable",
            $"--ConnectionStrings:Postgres={postgres.ConnectionString}",
            $"--ConnectionStrings:Redis={redis.ConnectionString}",
            $"--Durable:RedisKeyPrefix=bench-{Guid.NewGuid():N}:",
            .. BenchmarkTokens.EngineArguments,
            .. settings,
        ]);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
