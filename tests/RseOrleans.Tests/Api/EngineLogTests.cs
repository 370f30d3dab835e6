using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Grpc.Core;
using Grpc.Net.Client;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>What an operator reads in the engine's own log, from the program as it is run.</summary>
public sealed partial class EngineLogTests
{
    [Fact]
    public async Task A_healthy_start_client_errors_and_a_clean_stop_log_no_warning_and_no_stack_trace()
    {
        var log = await RunEngineAsync(async client =>
        {
            var user = await client.CreateUserAsync("logged");
            var author = await client.CreateUserAsync("author");
            await client.FollowAsync(user, author);
            await client.PostAsync(author, "first");
            var start = (await client.HomeFeedAsync(user)).Single();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            using (var watch = client.Feeds.WatchFeed(new WatchFeedRequest { Cursor = start.Cursor }, As(user), cancellationToken: timeout.Token))
            {
                await client.PostAsync(author, "live");
                Assert.Equal("live", (await NextAsync(watch, timeout.Token)).Post.Text);
            }

            await RpcAssert.FailsWith(StatusCode.NotFound, () => client.Users.GetUserAsync(new GetUserRequest { UserId = "nobody" }, As(user)));
            await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => client.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId() }, As(user)));
            var unparsable = new Method<byte[], byte[]>(MethodType.Unary, "rse.v1.Users", "GetUser",
                Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
            await RpcAssert.FailsWith(StatusCode.InvalidArgument, () =>
                client.Channel.CreateCallInvoker().AsyncUnaryCall(unparsable, null, new CallOptions(As(user)), [0xff, 0xff, 0xff, 0xff]).ResponseAsync);
        });

        // The one warning a development engine gives on purpose: anyone can name any caller.
        var warnings = log.Where(line => line.StartsWith("warn:", StringComparison.Ordinal) && !line.Contains("DevelopmentModeWarning", StringComparison.Ordinal));
        Assert.Empty(warnings);
        Assert.DoesNotContain(log, line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => StackFrame().IsMatch(line));
        Assert.DoesNotContain(log, line => line.Contains("ServerCallHandler", StringComparison.Ordinal));
        Assert.Contains(log, line => line.Contains("could not be parsed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_durable_start_that_cannot_reach_PostgreSQL_prints_one_line_saying_what_to_do()
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "RseOrleans.Silo"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "--urls", $"http://127.0.0.1:{FreeTcpPort()}",
                "--Engine:Mode=Durable",
                "--ConnectionStrings:Postgres=Host=127.0.0.1;Port=1;Username=postgres;Database=rse;Timeout=3",
                "--ConnectionStrings:Redis=127.0.0.1:1,connectTimeout=1000",
            },
        };
        using var engine = Process.Start(start)!;
        var output = engine.StandardOutput.ReadToEndAsync();
        var errors = engine.StandardError.ReadToEndAsync();
        await engine.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(1, engine.ExitCode);
        Assert.Equal("", (await output).Trim());
        Assert.Equal(
            "rse: durable mode cannot start: PostgreSQL cannot be reached at 127.0.0.1:1/rse: Failed to connect to 127.0.0.1:1. "
            + "Start it (scripts/dev-servers.sh start, for development) or fix ConnectionStrings:Postgres.",
            (await errors).Trim());
    }

    /// <summary>Runs the engine program on free loopback ports, acts as a client, stops it with SIGTERM; returns its output.</summary>
    private static async Task<List<string>> RunEngineAsync(Func<EngineClient, Task> act)
    {
        var port = FreeTcpPort();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "RseOrleans.Silo"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "--urls", $"http://127.0.0.1:{port}",
                $"--Orleans:SiloPort={FreeTcpPort()}", $"--Orleans:GatewayPort={FreeTcpPort()}",
                $"--Orleans:ClusterId=log-{Guid.NewGuid():N}",
            },
        };
        start.Environment["DOTNET_CONSOLE_ANSI_COLOR"] = "false";
        var log = new List<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var engine = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.Add(line.Data);
            }

            if (line.Data.Contains("Application started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        engine.OutputDataReceived += collect;
        engine.ErrorDataReceived += collect;
        engine.Start();
        engine.BeginOutputReadLine();
        engine.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using (var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}"))
            {
                await act(new EngineClient(channel));
            }

            Assert.Equal(0, SendSignal(engine.Id, Sigterm));
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await engine.WaitForExitAsync(patience.Token);
            Assert.Equal(0, engine.ExitCode);
        }
        finally
        {
            if (!engine.HasExited)
            {
                engine.Kill(entireProcessTree: true);
            }
        }

        lock (log)
        {
            return [.. log];
        }
    }

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s+at \S+\(")]
    private static partial System.Text.RegularExpressions.Regex StackFrame();

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
