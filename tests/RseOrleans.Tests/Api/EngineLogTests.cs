using System.Diagnostics;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>What an operator reads in the engine's own log, from the program as it is run.</summary>
public sealed class EngineLogTests
{
    [Fact]
    public async Task A_healthy_start_client_errors_and_a_clean_stop_log_no_warning_and_no_stack_trace()
    {
        var log = await EngineLogCapture.RunAsync([], async client =>
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
        var text = string.Join(Environment.NewLine, log);
        Assert.True(EngineLogCapture.EngineWarnings(log).Count == 0, text);
        Assert.False(log.Any(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)), text);
        Assert.False(log.Any(EngineLogCapture.IsStackFrame), text);
        Assert.False(log.Any(line => line.Contains("ServerCallHandler", StringComparison.Ordinal)), text);
        Assert.True(log.Any(line => line.Contains("could not be parsed", StringComparison.Ordinal)), text);
    }

    [Fact]
    public async Task A_durable_start_that_cannot_reach_PostgreSQL_prints_one_line_saying_what_to_do()
    {
        var start = new ProcessStartInfo(EngineLogCapture.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "--urls", $"http://127.0.0.1:{RunningEngine.FreeTcpPort()}",
                "--Http1Urls", "http://127.0.0.1:0",
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
}
