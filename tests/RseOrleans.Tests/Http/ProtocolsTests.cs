using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Http;

/// <summary>
/// Which protocol is served where: the gRPC port speaks HTTP/2 only (gRPC, and JSON with prior
/// knowledge), the HTTP/1.1 port HTTP/1.1 only. Without TLS one port cannot offer both.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ProtocolsTests(EngineFixture engine)
{
    [Fact]
    public void The_HTTP_1_1_port_is_the_gRPC_port_s_neighbour_only_by_configuration()
    {
        Assert.NotEqual(engine.Address.Port, engine.Http1Address.Port);
        Assert.Equal(engine.Address.Host, engine.Http1Address.Host);
    }

    [Fact]
    public async Task gRPC_clients_are_unchanged_on_the_gRPC_port_and_refused_clearly_on_the_HTTP_1_1_port()
    {
        var author = await engine.CreateUserAsync("author");
        Assert.Equal(author, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = author }, As(author))).UserId);

        using var wrongPort = GrpcChannel.ForAddress(engine.Http1Address);
        var users = new Users.UsersClient(wrongPort);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await users.GetUserAsync(new GetUserRequest { UserId = author }, As(author)));
        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task An_HTTP_1_1_request_to_the_gRPC_port_is_told_so_and_an_HTTP_2_one_to_the_HTTP_1_1_port_fails()
    {
        var author = await engine.CreateUserAsync("author");
        using (var http1OnGrpcPort = JsonApi.Http11(engine.Address))
        {
            var refused = await http1OnGrpcPort.GetAsync($"/v1/users/{author}", author);
            Assert.True(refused.Status != HttpStatusCode.OK, refused.ToString());
            Assert.Contains("HTTP/2", refused.Content, StringComparison.Ordinal);
        }

        using var http2OnHttp1Port = JsonApi.Http2(engine.Http1Address);
        await Assert.ThrowsAsync<HttpRequestException>(() => http2OnHttp1Port.GetAsync($"/v1/users/{author}", author));
    }
}
