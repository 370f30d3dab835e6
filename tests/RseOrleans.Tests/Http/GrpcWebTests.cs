using System.Net;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Http;

/// <summary>
/// Typed browser clients speak gRPC-Web: the same generated client over HTTP/1.1, through the real
/// gRPC-Web client handler, in both of its modes (binary, and base64 text as browsers stream).
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class GrpcWebTests(EngineFixture engine)
{
    public static TheoryData<GrpcWebMode> Modes => [GrpcWebMode.GrpcWeb, GrpcWebMode.GrpcWebText];

    private GrpcChannel WebChannel(GrpcWebMode mode) => GrpcChannel.ForAddress(engine.Http1Address, new GrpcChannelOptions
    {
        HttpHandler = new GrpcWebHandler(mode, new SocketsHttpHandler()),
        HttpVersion = HttpVersion.Version11,
        HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    });

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_unary_call_and_its_errors_work_over_gRPC_Web(GrpcWebMode mode)
    {
        using var channel = WebChannel(mode);
        var web = new EngineClient(channel);
        var author = await engine.CreateUserAsync("author");

        var post = await web.PostAsync(author, "posted by a browser");
        Assert.Equal("posted by a browser", (await engine.Posts.GetPostAsync(new GetPostRequest { PostId = post.PostId }, As(author))).Text);

        await RpcAssert.FailsWith(Grpc.Core.StatusCode.InvalidArgument, () => web.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId() }, As(author)));
        await RpcAssert.FailsWith(Grpc.Core.StatusCode.Unauthenticated, () => web.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest()));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task WatchFeed_streams_over_gRPC_Web(GrpcWebMode mode)
    {
        using var channel = WebChannel(mode);
        var web = new EngineClient(channel);
        var reader = await engine.CreateUserAsync("reader");
        var author = await engine.CreateUserAsync("author");
        await engine.FollowAsync(reader, author);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var watch = web.Feeds.WatchFeed(new WatchFeedRequest(), As(reader), cancellationToken: timeout.Token);
        Assert.Equal("live", (await watch.ResponseHeadersAsync).GetValue("x-rse-watch"));
        await engine.PostAsync(author, "live to the browser");

        Assert.Equal("live to the browser", (await NextAsync(watch, timeout.Token)).Post.Text);
    }
}
