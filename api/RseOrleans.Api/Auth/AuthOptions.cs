namespace RseOrleans.Api.Auth;

/// <summary>How callers prove who they are.</summary>
public enum AuthMode
{
    /// <summary>Bearer tokens (JWT) from the company's identity provider. What the code falls back to.</summary>
    Jwt,

    /// <summary>
    /// The <c>x-rse-user</c> header names the caller, unchecked. For a developer's machine only:
    /// the embedded default (<c>appsettings.json</c> of the silo) turns it on explicitly.
    /// </summary>
    DevelopmentHeader,
}

/// <summary>The <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// Jwt unless configured otherwise, so that a deployment which forgets the setting never
    /// trusts a header anyone can type.
    /// </summary>
    public AuthMode Mode { get; set; } = AuthMode.Jwt;

    public JwtOptions Jwt { get; set; } = new();
}

/// <summary>The <c>Auth:Jwt</c> section: which tokens are accepted and where the user id is.</summary>
public sealed class JwtOptions
{
    /// <summary>The expected <c>iss</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>A symmetric HS256 key (UTF-8 text, at least 32 bytes): development and tests.</summary>
    public string? SigningKey { get; set; }

    /// <summary>A JWKS document on disk holding the identity provider's public keys.</summary>
    public string? JwksFile { get; set; }

    /// <summary>Where the identity provider publishes its JWKS document; fetched and refreshed on an unknown key id.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>The claim whose value is the user id.</summary>
    public string UserIdClaim { get; set; } = "sub";

    /// <summary>
    /// A claim that marks external partners, e.g. <c>rse_role</c>; with <see cref="GuestClaimValue"/>,
    /// an account created with such a token is a guest from its first call. Unset: none is.
    /// </summary>
    public string? GuestClaim { get; set; }

    /// <summary>The value of <see cref="GuestClaim"/> that means guest, e.g. <c>guest</c>.</summary>
    public string GuestClaimValue { get; set; } = "guest";

    /// <summary>Tolerated clock difference with the identity provider for <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Refuse a JWKS URL that is not https; turn off only for a local test identity provider.</summary>
    public bool RequireHttpsJwksUrl { get; set; } = true;
}
