using System.Security.Claims;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using RseOrleans.Api.Auth;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;
using static RseOrleans.Tests.Fixtures.JwtEngineFixture;

namespace RseOrleans.Tests.Auth;

/// <summary>Token mode as in production: RS256 tokens checked against the identity provider's JWKS document.</summary>
public sealed class TokenAuthenticationTests(JwksFileEngineFixture engine) : IClassFixture<JwksFileEngineFixture>
{
    [Fact]
    public async Task A_valid_token_names_the_caller_for_every_call()
    {
        var (alice, aliceToken) = await engine.SignUpAsync("alice");
        var (bob, bobToken) = await engine.SignUpAsync("bob");
        await engine.Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = alice }, bobToken);

        var post = await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "Signed in with a token" }, aliceToken);
        var feed = await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), bobToken);

        Assert.Equal(alice, post.AuthorId);
        Assert.Contains(feed.Items, item => item.Post.PostId == post.PostId);
        Assert.Equal(bob, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = bob }, bobToken)).UserId);
    }

    [Fact]
    public async Task A_live_watch_accepts_the_token_too()
    {
        var (alice, aliceToken) = await engine.SignUpAsync("alice");
        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest(), aliceToken);
        await watch.ResponseHeadersAsync;

        var post = await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "Live with a token" }, aliceToken);

        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(post.PostId, watch.ResponseStream.Current.Post.PostId);
        Assert.Equal(alice, watch.ResponseStream.Current.Post.AuthorId);
    }

    [Fact]
    public async Task Every_token_the_engine_cannot_trust_is_unauthenticated_and_says_why()
    {
        var (alice, _) = await engine.SignUpAsync("alice");
        var otherSecret = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(new string('k', 32))), SecurityAlgorithms.HmacSha256);

        var cases = new (string Case, Metadata Headers, string Says)[]
        {
            ("no token", [], "needs a bearer token"),
            ("only the development header", As(alice), "needs a bearer token"),
            ("not a token", Bearer("not-a-jwt"), "malformed"),
            ("expired", Bearer(engine.Token(alice, t => { t.IssuedAt = t.NotBefore = DateTime.UtcNow.AddHours(-2); t.Expires = DateTime.UtcNow.AddHours(-1); })), "expired"),
            ("not yet valid", Bearer(engine.Token(alice, t => { t.NotBefore = DateTime.UtcNow.AddHours(1); t.Expires = DateTime.UtcNow.AddHours(2); })), "not valid yet"),
            ("wrong issuer", Bearer(engine.Token(alice, t => t.Issuer = "https://evil.example.test")), "issuer"),
            ("wrong audience", Bearer(engine.Token(alice, t => t.Audience = "another-api")), "audience"),
            ("bad signature: a forged key under the trusted key id", Bearer(engine.Token(alice, t => t.SigningCredentials = JwksFileEngineFixture.UntrustedKey(JwksFileEngineFixture.TrustedKeyId))), "signature"),
            ("bad signature: a tampered payload", Bearer(Tampered(engine.Token(alice), alice, "mallory")), "signature"),
            ("unknown key", Bearer(engine.Token(alice, t => t.SigningCredentials = JwksFileEngineFixture.UntrustedKey("rotated-out-key"))), "key"),
            ("a shared secret instead of the provider's key", Bearer(engine.Token(alice, t => t.SigningCredentials = otherSecret)), "key"),
            ("missing user claim", Bearer(engine.Token(userId: null)), "employee_id"),
            ("user claim is not a user id", Bearer(engine.Token("Not A User!")), "employee_id"),
            ("a user without an account", Bearer(engine.Token("nobody-here")), "no account"),
        };

        var failures = new List<string>();
        foreach (var (name, headers, says) in cases)
        {
            try
            {
                await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), headers);
                failures.Add($"{name}: succeeded");

            }
            catch (RpcException error) when (error.StatusCode != StatusCode.Unauthenticated || !error.Status.Detail.Contains(says, StringComparison.Ordinal))
            {
                failures.Add($"{name}: {error.StatusCode} '{error.Status.Detail}'");
            }
            catch (RpcException)
            {
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task A_refused_token_cannot_open_a_live_watch()
    {
        var (alice, _) = await engine.SignUpAsync("alice");
        var expired = Bearer(engine.Token(alice, t => { t.IssuedAt = t.NotBefore = DateTime.UtcNow.AddHours(-2); t.Expires = DateTime.UtcNow.AddHours(-1); }));

        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest(), expired);

        var detail = await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains("expired", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_whose_token_says_guest_is_a_guest_from_the_first_call()
    {
        var (partner, partnerToken) = await engine.SignUpAsync("partner", t => t.Claims = new Dictionary<string, object> { [JwksFileEngineFixture.GuestClaim] = "guest" });
        var (employee, employeeToken) = await engine.SignUpAsync("employee", t => t.Claims = new Dictionary<string, object> { [JwksFileEngineFixture.GuestClaim] = "staff" });

        Assert.Equal(NetworkRole.Guest, (await engine.Admin.GetAccountAsync(new GetAccountRequest(), partnerToken)).Role);
        Assert.Equal(NetworkRole.Member, (await engine.Admin.GetAccountAsync(new GetAccountRequest(), employeeToken)).Role);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Users.GetUserAsync(new GetUserRequest { UserId = employee }, partnerToken));
        Assert.Equal(partner, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = partner }, employeeToken)).UserId);
    }

    [Fact]
    public async Task A_person_creates_only_their_own_account()
    {
        var userId = $"carol-{Guid.NewGuid():N}"[..18];
        var profile = new Profile { DisplayName = "Carol", TimeZone = "Europe/Paris", Language = "fr-FR" };

        await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => engine.Users.CreateUserAsync(
            new CreateUserRequest { RequestId = NewRequestId(), UserId = userId, Profile = profile }));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => engine.Users.CreateUserAsync(
            new CreateUserRequest { RequestId = NewRequestId(), UserId = userId, Profile = profile }, Bearer(engine.Token("someone-else"))));

        var created = await engine.Users.CreateUserAsync(
            new CreateUserRequest { RequestId = NewRequestId(), UserId = userId, Profile = profile }, Bearer(engine.Token(userId)));
        Assert.Equal(userId, created.UserId);
    }

    /// <summary>The token with its payload rewritten to name another user, the signature left as it was.</summary>
    private static string Tampered(string token, string from, string to)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(from, to, StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }
}

/// <summary>Token mode for development: HS256 tokens signed with a configured shared key.</summary>
public sealed class DevelopmentKeyTokenTests(SymmetricKeyEngineFixture engine) : IClassFixture<SymmetricKeyEngineFixture>
{
    [Fact]
    public async Task A_token_signed_with_the_development_key_names_the_caller()
    {
        var (alice, aliceToken) = await engine.SignUpAsync("alice");

        var me = await engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, aliceToken);

        Assert.Equal(alice, me.UserId);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_or_algorithm_is_refused()
    {
        var (alice, _) = await engine.SignUpAsync("alice");
        var otherSecret = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(new string('k', 32))), SecurityAlgorithms.HmacSha256);
        var rsa = JwksFileEngineFixture.UntrustedKey("some-rsa-key");

        foreach (var key in new[] { otherSecret, rsa })
        {
            await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => engine.Users.GetUserAsync(
                new GetUserRequest { UserId = alice }, Bearer(engine.Token(alice, t => t.SigningCredentials = key))));
        }
    }

    [Fact]
    public async Task A_token_verified_once_is_taken_as_verified_by_its_next_calls_until_it_expires()
    {
        var (alice, _) = await engine.SignUpAsync("alice");
        var token = engine.Token(alice, t => t.Expires = DateTime.UtcNow.AddSeconds(3));
        var verified = engine.Services.GetRequiredService<VerifiedTokens>();
        Assert.False(verified.TryGet(token, out _));

        await engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, Bearer(token));
        Assert.True(verified.TryGet(token, out var found));
        Assert.Equal(alice, found.Principal.FindFirst("sub")?.Value);
        Assert.Equal(alice, (await engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, Bearer(token))).UserId);

        // Once expired it is refused, with the reason, as a token never seen.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var detail = await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, Bearer(token)));
        Assert.Contains("expired", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_watch_ends_when_its_token_expires()
    {
        var (alice, _) = await engine.SignUpAsync("alice");
        var shortLived = Bearer(engine.Token(alice, t => t.Expires = DateTime.UtcNow.AddSeconds(2)));

        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest(), shortLived);
        await watch.ResponseHeadersAsync;

        var detail = await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains("expired", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_expiry_is_refused()
    {
        var (alice, _) = await engine.SignUpAsync("alice");
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var forever = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", alice)]),
            SigningCredentials = engine.TrustedKey,
        });

        var detail = await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, Bearer(forever)));
        Assert.Contains("expiry", detail, StringComparison.Ordinal);
    }
}

/// <summary>Token mode with the identity provider's JWKS document fetched over HTTP.</summary>
public sealed class JwksUrlTokenTests(JwksUrlEngineFixture engine) : IClassFixture<JwksUrlEngineFixture>
{
    [Fact]
    public async Task Tokens_signed_with_a_published_key_are_accepted_and_others_refused()
    {
        var (alice, aliceToken) = await engine.SignUpAsync("alice");

        var me = await engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, aliceToken);
        var unknownKey = Bearer(engine.Token(alice, t => t.SigningCredentials = JwksFileEngineFixture.UntrustedKey("never-published")));

        Assert.Equal(alice, me.UserId);
        var detail = await RpcAssert.FailsWith(StatusCode.Unauthenticated, () => engine.Users.GetUserAsync(new GetUserRequest { UserId = alice }, unknownKey));
        Assert.Contains("key", detail, StringComparison.Ordinal);
    }
}
