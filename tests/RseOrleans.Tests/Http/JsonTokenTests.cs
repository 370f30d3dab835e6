using System.Net;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Http;

/// <summary>The JSON API in token mode: the same bearer tokens as gRPC, refused with the same words.</summary>
public sealed class JsonTokenTests(SymmetricKeyEngineFixture engine) : IClassFixture<SymmetricKeyEngineFixture>
{
    [Fact]
    public async Task A_bearer_token_names_the_caller_and_a_missing_or_expired_one_is_401()
    {
        using var api = JsonApi.Http11(engine.Http1Address);
        var userId = $"carol-{Guid.NewGuid():N}"[..18];
        var token = engine.Token(userId);

        // A person's first call creates their own account with their token.
        var created = await api.SendAsync(HttpMethod.Post, "/v1/users", caller: null,
            new { request_id = NewRequestId(), user_id = userId, profile = new { display_name = "Carol" } }, bearer: token);
        Assert.True(created.Status == HttpStatusCode.OK, created.ToString());
        var post = await api.SendAsync(HttpMethod.Post, "/v1/posts", caller: null, new { request_id = NewRequestId(), text = "with a token" }, bearer: token);
        Assert.Equal(userId, post.Text("authorId"));

        var none = await api.GetAsync("/v1/feeds/home");
        Assert.True(none.Status == HttpStatusCode.Unauthorized, none.ToString());
        Assert.Contains("bearer token", none.Message, StringComparison.Ordinal);

        // The development header means nothing in token mode.
        var header = await api.GetAsync("/v1/feeds/home", caller: userId);
        Assert.Equal(HttpStatusCode.Unauthorized, header.Status);

        var expired = engine.Token(userId, descriptor =>
        {
            descriptor.NotBefore = DateTime.UtcNow.AddMinutes(-10);
            descriptor.IssuedAt = DateTime.UtcNow.AddMinutes(-10);
            descriptor.Expires = DateTime.UtcNow.AddMinutes(-1);
        });
        var refused = await api.SendAsync(HttpMethod.Get, "/v1/feeds/home", caller: null, bearer: expired);
        Assert.True(refused.Status == HttpStatusCode.Unauthorized, refused.ToString());
        Assert.Equal("The bearer token has expired: get a new one.", refused.Message);
    }
}
