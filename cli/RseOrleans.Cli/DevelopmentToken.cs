using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RseOrleans.Cli;

/// <summary>
/// What the company's identity provider hands out in production, signed here with the engine's
/// development key (<c>Auth:Jwt:SigningKey</c>, HS256): for <c>rse token create</c> and for the
/// load generator's users.
/// </summary>
internal sealed record DevelopmentToken(string SigningKey, string Issuer = DevelopmentToken.DefaultIssuer, string Audience = DevelopmentToken.DefaultAudience, string UserIdClaim = "sub")
{
    public const int MinKeyBytes = 32;
    public const string DefaultIssuer = "rse-dev";
    public const string DefaultAudience = "rse";

    /// <summary>Whether <paramref name="signingKey"/> is long enough for HS256, as the engine requires.</summary>
    public static bool IsUsableKey(string? signingKey) =>
        !string.IsNullOrEmpty(signingKey) && Encoding.UTF8.GetByteCount(signingKey) >= MinKeyBytes;

    /// <summary>A signed token naming <paramref name="userId"/>, valid from now for <paramref name="lifetime"/>.</summary>
    public string For(string userId, TimeSpan lifetime)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Subject = new ClaimsIdentity([new Claim(UserIdClaim, userId)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
