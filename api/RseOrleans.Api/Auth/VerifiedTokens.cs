using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;

namespace RseOrleans.Api.Auth;

/// <summary>
/// The bearer tokens this silo verified lately, with what their verification found, so that a
/// client calling again with the same token is not verified again: parsing, the signature and the
/// claims cost about a seventh of what a home-feed page allocates. Keyed by the whole token (its
/// signature included), so only a token verified here is ever taken; a token is kept until it
/// expires and at most <see cref="KeptAtMost"/>, so that a signing key the identity provider withdraws
/// stops being trusted within that time; at most <see cref="Capacity"/> tokens, the least recently
/// used going first. Failures are never kept: a refused token is refused afresh, with its reason.
/// </summary>
public sealed class VerifiedTokens(TimeProvider clock) : IDisposable
{
    public const int Capacity = 100_000;

    public static readonly TimeSpan KeptAtMost = TimeSpan.FromMinutes(5);

    private const string Scheme = "Bearer ";

    private readonly MemoryCache tokens = new(new MemoryCacheOptions { SizeLimit = Capacity });

    /// <summary>Takes a call's token from the tokens verified, or leaves it to the handler to verify and then keeps it.</summary>
    public void Attach(JwtBearerEvents events)
    {
        events.OnMessageReceived = context =>
        {
            if (TokenOf(context.Request.Headers.Authorization.ToString()) is { } token && TryGet(token, out var verified))
            {
                context.Principal = verified.Principal;
                context.Properties.ExpiresUtc = verified.Expires;
                context.Properties.IssuedUtc = verified.Issued;
                context.Success();
            }

            return Task.CompletedTask;
        };
        events.OnTokenValidated = context =>
        {
            if (context.SecurityToken is JsonWebToken { EncodedToken: { } token } && context.Principal is { } principal
                && context.Properties.ExpiresUtc is { } expires)
            {
                Remember(token, new Verified(principal, expires, context.Properties.IssuedUtc));
            }

            return Task.CompletedTask;
        };
    }

    public bool TryGet(string token, out Verified verified)
    {
        if (tokens.TryGetValue(token, out Kept? kept) && kept!.Until > clock.GetUtcNow())
        {
            verified = kept.Verified;
            return true;
        }

        verified = null!;
        return false;
    }

    public void Remember(string token, Verified verified)
    {
        var until = Min(verified.Expires, clock.GetUtcNow() + KeptAtMost);
        tokens.Set(token, new Kept(verified, until), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = until });
    }

    public void Dispose() => tokens.Dispose();

    private static string? TokenOf(string header) =>
        header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && header.Length > Scheme.Length ? header[Scheme.Length..].Trim() : null;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>What verifying a token found: who it names (its claims), and when it expires.</summary>
    public sealed record Verified(ClaimsPrincipal Principal, DateTimeOffset Expires, DateTimeOffset? Issued);

    /// <summary>A verified token, taken until <see cref="Until"/>: its expiry, or sooner.</summary>
    private sealed record Kept(Verified Verified, DateTimeOffset Until);
}
