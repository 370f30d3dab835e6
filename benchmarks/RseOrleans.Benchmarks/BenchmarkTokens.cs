using System.Security.Claims;
using System.Text;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Callers as a deployment knows them: the engine runs in token mode (<c>Auth:Mode=Jwt</c>, its
/// default) and each call carries a bearer token signed by the "identity provider" below, which
/// the engine verifies on every call.
/// </summary>
internal static class BenchmarkTokens
{
    private const string Issuer = "https://login.example.test/bench";
    private const string Audience = "rse-bench";
    private const string SigningKey = "benchmark signing key, 32 bytes or more, HS256";

    /// <summary>The engine's command-line settings for these tokens.</summary>
    public static string[] EngineArguments { get; } =
    [
        "--Auth:Mode=Jwt",
        $"--Auth:Jwt:Issuer={Issuer}",
        $"--Auth:Jwt:Audience={Audience}",
        $"--Auth:Jwt:SigningKey={SigningKey}",
    ];

    /// <summary>The call headers of <paramref name="userId"/>: a token valid for a day.</summary>
    public static Metadata Caller(string userId)
    {
        var now = DateTime.UtcNow;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddDays(1),
            Subject = new ClaimsIdentity([new Claim("sub", userId)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256),
        });
        return new Metadata { { "authorization", $"Bearer {token}" } };
    }
}
