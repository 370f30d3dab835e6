using System.Diagnostics;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace RseOrleans.Tests.Fixtures;

/// <summary>
/// The engine as its own operating-system process (the RseOrleans.Silo program the tests are built
/// with), so that a test can kill it as <c>kill -9</c> does: no shutdown, no goodbye to the cluster.
/// </summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private readonly Process process;

    private EngineProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    /// <summary>Starts the engine with <paramref name="settings"/> and waits until its health service says SERVING.</summary>
    public static async Task<EngineProcess> StartAsync(params IEnumerable<string> settings)
    {
        var address = new Uri($"http://127.0.0.1:{RunningEngine.FreeTcpPort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (IEnumerable<string>)
        [
            Path.Combine(AppContext.BaseDirectory, "RseOrleans.Silo.dll"),
            "--urls", address.ToString(),
            "--Http1Urls", "http://127.0.0.1:0",
            $"--Orleans:SiloPort={RunningEngine.FreeTcpPort()}",
            $"--Orleans:GatewayPort={RunningEngine.FreeTcpPort()}",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        // Read and drop what it prints, so that a full pipe never blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var engine = new EngineProcess(process, address);
        var health = new Health.HealthClient(engine.Channel);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "the engine process exited during start-up");
            Assert.True(DateTime.UtcNow < deadline, "the engine process did not become healthy within 60 s");
            try
            {
                var status = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (status.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return engine;
                }
            }
            catch (Grpc.Core.RpcException)
            {
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Ends the process at once, as SIGKILL does.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }
}
