using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RseOrleans.Api.V1;

namespace RseOrleans.Tests.Fixtures;

/// <summary>
/// The real engine host in token mode (<c>Auth:Mode=Jwt</c>) on its own free ports, and what a
/// test needs to play the company's identity provider: the keys, and tokens signed with them.
/// </summary>
public abstract class JwtEngineFixture : IAsyncLifetime
{
    public const string Issuer = "https://login.example.test/rse";
    public const string Audience = "rse-api";

    private RunningEngine? engine;

    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The host's services, to look inside (the tokens it verified).</summary>
    public IServiceProvider Services => engine!.Services;

    /// <summary>The HTTP/1.1 endpoint: JSON and gRPC-Web.</summary>
    public Uri Http1Address => engine!.Http1Address;

    public Users.UsersClient Users { get; private set; } = null!;

    public Posts.PostsClient Posts { get; private set; } = null!;

    public Feeds.FeedsClient Feeds { get; private set; } = null!;

    public Admin.AdminClient Admin { get; private set; } = null!;

    /// <summary>The claim the engine reads the user id from.</summary>
    public abstract string UserIdClaim { get; }

    /// <summary>The key tokens are signed with, one the engine trusts.</summary>
    public abstract SigningCredentials TrustedKey { get; }

    /// <summary>The <c>--Auth:Jwt:...</c> key settings of this host.</summary>
    protected abstract IEnumerable<string> KeyArguments();

    public virtual async Task InitializeAsync()
    {
        engine = await RunningEngine.StartAsync(
            "test-jwt",
            [
                "--Auth:Mode=Jwt",
                $"--Auth:Jwt:Issuer={Issuer}",
                $"--Auth:Jwt:Audience={Audience}",
                $"--Auth:Jwt:UserIdClaim={UserIdClaim}",
                // Tokens expire exactly when they say, so that a test can use a short-lived one.
                "--Auth:Jwt:ClockSkew=00:00:00",
                .. KeyArguments(),
            ]);
        Channel = engine.Channel;
        Users = new Users.UsersClient(Channel);
        Posts = new Posts.PostsClient(Channel);
        Feeds = new Feeds.FeedsClient(Channel);
        Admin = new Admin.AdminClient(Channel);
    }

    public virtual async Task DisposeAsync()
    {
        if (engine is not null)
        {
            await engine.DisposeAsync();
        }
    }

    /// <summary>A token as the identity provider issues it, with one part changed by <paramref name="tweak"/>.</summary>
    public string Token(string? userId, Action<SecurityTokenDescriptor>? tweak = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = TrustedKey,
            Subject = new ClaimsIdentity(userId is null ? [] : [new Claim(UserIdClaim, userId)]),
        };
        tweak?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    /// <summary>Creates the account of a new user the way a person signing in for the first time does.</summary>
    public async Task<(string UserId, Metadata Headers)> SignUpAsync(string name, Action<SecurityTokenDescriptor>? tweak = null)
    {
        var userId = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];
        var headers = Bearer(Token(userId, tweak));
        await Users.CreateUserAsync(
            new CreateUserRequest
            {
                RequestId = EngineClient.NewRequestId(),
                UserId = userId,
                Profile = new Profile { DisplayName = name, TimeZone = "Europe/Paris", Language = "fr-FR" },
            },
            headers);
        return (userId, headers);
    }
}

/// <summary>Token mode with a development signing key (HS256), read from <c>sub</c>.</summary>
public sealed class SymmetricKeyEngineFixture : JwtEngineFixture
{
    public const string SigningKey = "test-signing-key-of-at-least-32-bytes!";

    public override string UserIdClaim => "sub";

    public override SigningCredentials TrustedKey { get; } =
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256);

    protected override IEnumerable<string> KeyArguments() => [$"--Auth:Jwt:SigningKey={SigningKey}"];
}

/// <summary>
/// Token mode as in production: the identity provider's public RSA keys in a JWKS document on
/// disk, the user id in a company-specific claim.
/// </summary>
public sealed class JwksFileEngineFixture : JwtEngineFixture
{
    public const string TrustedKeyId = "idp-key-1";

    private readonly RSA trustedRsa = RSA.Create(2048);
    private readonly string jwksPath = Path.Combine(Path.GetTempPath(), $"rse-jwks-{Guid.NewGuid():N}.json");

    public JwksFileEngineFixture()
    {
        TrustedKey = new SigningCredentials(new RsaSecurityKey(trustedRsa) { KeyId = TrustedKeyId }, SecurityAlgorithms.RsaSha256);
        File.WriteAllText(jwksPath, PublicJwks(trustedRsa, TrustedKeyId));
    }

    public override string UserIdClaim => "employee_id";

    public override SigningCredentials TrustedKey { get; }

    /// <summary>The claim the identity provider marks partners with.</summary>
    public const string GuestClaim = "rse_role";

    /// <summary>A key of the same kind the engine has never seen.</summary>
    public static SigningCredentials UntrustedKey(string keyId) =>
        new(new RsaSecurityKey(RSA.Create(2048)) { KeyId = keyId }, SecurityAlgorithms.RsaSha256);

    /// <summary>The document an identity provider publishes: the public halves of its keys only.</summary>
    public static string PublicJwks(RSA rsa, string keyId)
    {
        var publicKey = rsa.ExportParameters(includePrivateParameters: false);
        return $$"""
            {"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{keyId}}","n":"{{Base64UrlEncoder.Encode(publicKey.Modulus)}}","e":"{{Base64UrlEncoder.Encode(publicKey.Exponent)}}"}]}
            """;
    }

    protected override IEnumerable<string> KeyArguments() => [$"--Auth:Jwt:JwksFile={jwksPath}", $"--Auth:Jwt:GuestClaim={GuestClaim}"];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(jwksPath);
        trustedRsa.Dispose();
    }
}

/// <summary>Token mode with the JWKS document fetched over HTTP from a stand-in identity provider.</summary>
public sealed class JwksUrlEngineFixture : JwtEngineFixture
{
    private readonly RSA trustedRsa = RSA.Create(2048);
    private WebApplication? identityProvider;

    public JwksUrlEngineFixture() =>
        TrustedKey = new SigningCredentials(new RsaSecurityKey(trustedRsa) { KeyId = "published" }, SecurityAlgorithms.RsaSha256);

    public override string UserIdClaim => "sub";

    public override SigningCredentials TrustedKey { get; }

    public override async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        identityProvider = builder.Build();
        var jwks = JwksFileEngineFixture.PublicJwks(trustedRsa, "published");
        identityProvider.MapGet("/.well-known/jwks.json", () => Microsoft.AspNetCore.Http.Results.Text(jwks, "application/json"));
        await identityProvider.StartAsync();
        await base.InitializeAsync();
    }

    protected override IEnumerable<string> KeyArguments()
    {
        var address = identityProvider!.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return [$"--Auth:Jwt:JwksUrl={address}/.well-known/jwks.json", "--Auth:Jwt:RequireHttpsJwksUrl=false"];
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (identityProvider is not null)
        {
            await identityProvider.StopAsync();
            await identityProvider.DisposeAsync();
        }

        trustedRsa.Dispose();
    }
}
