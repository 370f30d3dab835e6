using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

/// <summary>Bytes that are not a valid request message, as a broken or hostile client sends them.</summary>
[Collection(EngineCollection.Name)]
public sealed class MalformedRequestTests(EngineFixture engine)
{
    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    [Theory]
    [InlineData("Users", "GetUser", "ffffffff")]
    [InlineData("Users", "GetUser", "0a5001")]
    [InlineData("Users", "GetUser", "0a02c328")]
    [InlineData("Posts", "CreatePost", "ffffffff")]
    [InlineData("Posts", "CreatePost", "0a5001")]
    [InlineData("Posts", "CreatePost", "0a02c328")]
    [InlineData("Feeds", "GetHomeFeed", "ffffffff")]
    [InlineData("Feeds", "GetHomeFeed", "125001")]
    [InlineData("Feeds", "GetHomeFeed", "1202c328")]
    public async Task A_message_that_is_not_valid_protobuf_is_refused_as_invalid_argument(string service, string method, string hex)
    {
        var caller = await engine.CreateUserAsync("caller");
        var call = new Method<byte[], byte[]>(MethodType.Unary, $"rse.v1.{service}", method, RawBytes, RawBytes);

        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () =>
            engine.Channel.CreateCallInvoker().AsyncUnaryCall(call, null, new CallOptions(As(caller)), Convert.FromHexString(hex)).ResponseAsync);

        Assert.Contains("could not be parsed", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_watch_with_an_unreadable_request_is_refused_as_invalid_argument()
    {
        var caller = await engine.CreateUserAsync("caller");
        var call = new Method<byte[], byte[]>(MethodType.ServerStreaming, "rse.v1.Feeds", "WatchFeed", RawBytes, RawBytes);
        using var watch = engine.Channel.CreateCallInvoker().AsyncServerStreamingCall(call, null, new CallOptions(As(caller)), [0xff, 0xff, 0xff, 0xff]);

        var detail = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Contains("could not be parsed", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JSON_body_sent_as_grpc_json_is_refused_as_invalid_argument()
    {
        var caller = await engine.CreateUserAsync("caller");
        var json = """{"user_id":"someone"}"""u8.ToArray();
        var frame = new byte[5 + json.Length];
        frame[4] = (byte)json.Length;
        json.CopyTo(frame, 5);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(engine.Address, "/rse.v1.Users/GetUser"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame) { Headers = { ContentType = new MediaTypeHeaderValue("application/grpc+json") } },
        };
        request.Headers.Add("te", "trailers");
        request.Headers.Add("x-rse-user", caller);

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer : response.Headers.GetValues("grpc-status");
        Assert.Equal(((int)StatusCode.InvalidArgument).ToString(System.Globalization.CultureInfo.InvariantCulture), status.Single());
    }
}
