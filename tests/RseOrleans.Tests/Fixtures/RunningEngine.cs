using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Silo;
using RseOrleans.Silo.Hosting;

namespace RseOrleans.Tests.Fixtures;

/// <summary>
/// The real engine host (silo and gRPC endpoint) on free loopback ports, with a gRPC channel to
/// it. Each fixture starts one with the settings it tests.
/// </summary>
public sealed class RunningEngine : IAsyncDisposable
{
    private readonly WebApplication app;

    private RunningEngine(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
    }

    public Uri Address { get; }

    /// <summary>The HTTP/1.1 endpoint (JSON, gRPC-Web, probes) beside the gRPC one.</summary>
    public Uri Http1Address => app.Services.GetRequiredService<EngineEndpoints>().Http1Addresses[0];

    public GrpcChannel Channel { get; }

    /// <summary>The host's services: its Orleans grain factory, its stores.</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>Starts an engine; <paramref name="settings"/> are command-line settings on top of its defaults.</summary>
    public static Task<RunningEngine> StartAsync(string name, params IEnumerable<string> settings) =>
        StartAsync(name, configure: null, settings);

    /// <summary>Starts an engine with services added by <paramref name="configure"/>, such as a fault injected into its grains.</summary>
    public static async Task<RunningEngine> StartAsync(string name, Action<WebApplicationBuilder>? configure, params IEnumerable<string> settings)
    {
        var app = RseHost.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Orleans:SiloPort={FreeTcpPort()}",
            $"--Orleans:GatewayPort={FreeTcpPort()}",
            $"--Orleans:ClusterId={name}-{Guid.NewGuid():N}",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ], configure);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return new RunningEngine(app, new Uri(addresses.Addresses.First()));
    }

    /// <summary>Stops the engine as SIGTERM does, the channel still open to see what clients see.</summary>
    public Task StopAsync() => app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
