using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RseOrleans.Api.Auth;
using RseOrleans.Api.Limits;
using RseOrleans.Api.Reads;
using RseOrleans.Api.ServiceAccounts;
using RseOrleans.Api.Validation;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Identity;

/// <summary>
/// Who is calling. The one place that knows how a caller is identified: a bearer token (JWT)
/// whose user id claim names an existing user, or, in development mode only, the
/// <c>x-rse-user</c> header. Every failure is UNAUTHENTICATED with words that say what to fix,
/// except a deactivated account: the caller is known, and no new token will help (PERMISSION_DENIED).
/// A service account's token (<c>Bearer rse_…</c>) is recognised in every mode; such a caller is no
/// person, so only the calls that ask <see cref="ServiceCallerAsync"/> take it, and every other is
/// PERMISSION_DENIED.
/// </summary>
public sealed class CallerIdentity(IGrainFactory grains, GrainReads reads, AuthOptions options, IOptions<NetworkOptions> network, WriteRateLimiter writeLimit, ServiceTokenVerifier serviceTokens)
{
    public const string UserHeader = "x-rse-user";

    /// <summary>The calling user's id; UNAUTHENTICATED when the caller is not proven or has no account.</summary>
    public async Task<string> RequireCallerAsync(ServerCallContext context) =>
        (await RequireCallerAccountAsync(context)).UserId;

    /// <summary>The calling user with their network role; the caller's account is active.</summary>
    public async Task<Caller> RequireCallerAccountAsync(ServerCallContext context)
    {
        var userId = await RequireAuthenticatedIdAsync(context);
        var account = await RequireActiveAccountAsync(userId);

        // Where the caller first becomes known, and before any change: a refused write loses nothing.
        await writeLimit.RequireAllowanceAsync(context, grains.GetGrain<IUserGrain>(userId));
        return ToCaller(account);
    }

    /// <summary>
    /// A proven caller's account, refused as every call refuses it: missing, erased or deactivated.
    /// Takes no write allowance, so a replayed answer (which changes nothing) can check it too.
    /// </summary>
    public async Task<AccountSnapshot> RequireActiveAccountAsync(string userId)
    {
        var account = await reads.GetAccount(userId);
        if (!account.Exists)
        {
            throw Unauthenticated(options.Mode == AuthMode.DevelopmentHeader
                ? $"The '{UserHeader}' header names no known user."
                : $"The token's user '{userId}' has no account here: create it with CreateUser first.");
        }

        if (account.IsErased)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"The account '{userId}' was erased; it cannot be used again."));
        }

        if (!account.IsActive)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"The account '{userId}' is deactivated; a network admin can reactivate it."));
        }

        return account;
    }

    /// <summary>
    /// Whose request ids a mutating call uses: the proven user id, whether or not an account
    /// exists yet (the call itself checks that); null when no caller is named, as for CreateUser
    /// in development mode, which needs none.
    /// </summary>
    public async Task<string?> RequestOwnerAsync(ServerCallContext context)
    {
        if (ServiceTokenOf(context) is { } serviceToken)
        {
            try
            {
                return (await serviceTokens.RequireAsync(serviceToken)).AuthorId;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                return null;
            }
        }

        if (options.Mode == AuthMode.DevelopmentHeader)
        {
            var header = context.RequestHeaders.GetValue(UserHeader);
            return string.IsNullOrWhiteSpace(header) ? null : header;
        }

        try
        {
            return await RequireAuthenticatedIdAsync(context);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
        {
            return null;
        }
    }

    /// <summary>
    /// When the caller's credentials stop being valid: the token's expiry, or null for the
    /// development header. A live watch ends then, as a new call would be refused.
    /// </summary>
    public async Task<DateTimeOffset?> CredentialsExpiryAsync(ServerCallContext context)
    {
        if (options.Mode == AuthMode.DevelopmentHeader)
        {
            return null;
        }

        var result = await context.GetHttpContext().AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (result.Properties?.ExpiresUtc is { } expires)
        {
            return expires;
        }

        return long.TryParse(result.Principal?.FindFirst("exp")?.Value, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }

    /// <summary>The role a user really has: the configured admins are admins whatever their stored role.</summary>
    public Caller ToCaller(AccountSnapshot account) =>
        IsConfiguredAdmin(account.UserId)
            ? new Caller(account.UserId, NetworkRole.Admin, ConfiguredAdmin: true)
            : new Caller(account.UserId, account.Role, ConfiguredAdmin: false);

    public bool IsConfiguredAdmin(string userId) => network.Value.Admins.Contains(userId, StringComparer.Ordinal);

    /// <summary>
    /// Who is allowed to create the account <paramref name="userId"/>. With tokens a person
    /// provisions their own account on first sign-in; in development mode anyone may (directory
    /// provisioning scripts, the demo). Runs before validation, so that an unproven caller learns
    /// nothing; an id that is not valid is left for validation to name.
    /// </summary>
    /// <returns>The network role the new account starts with: guest when the token says so.</returns>
    public async Task<NetworkRole> RequireMayCreateAsync(ServerCallContext context, string userId)
    {
        if (options.Mode == AuthMode.DevelopmentHeader)
        {
            return NetworkRole.Member;
        }

        var tokenUser = await RequireAuthenticatedIdAsync(context);
        if (tokenUser != userId && Require.IsId(userId))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "user_id: a token may only create the account of its own user."));
        }

        var jwt = options.Jwt;
        if (jwt.GuestClaim is { Length: > 0 } guestClaim)
        {
            var principal = (await context.GetHttpContext().AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme)).Principal;
            if (principal?.FindAll(guestClaim).Any(claim => claim.Value == jwt.GuestClaimValue) == true)
            {
                return NetworkRole.Guest;
            }
        }

        return NetworkRole.Member;
    }

    /// <summary>
    /// The verified service account calling, or null when the caller presents no service token;
    /// UNAUTHENTICATED when the token is malformed, unknown, revoked, expired or its account disabled.
    /// </summary>
    public async Task<ServiceCaller?> ServiceCallerAsync(ServerCallContext context)
    {
        if (ServiceTokenOf(context) is not { } token)
        {
            return null;
        }

        var service = await serviceTokens.RequireAsync(token);
        // Where the application first becomes known, and before any change, as for a person.
        await writeLimit.RequireAllowanceAsync(context, grains.GetGrain<IServiceAccountGrain>(service.ServiceAccountId));
        return service;
    }

    /// <summary>The bearer token when it is a service account's (<c>rse_…</c>), else null.</summary>
    public static string? ServiceTokenOf(ServerCallContext context)
    {
        const string Scheme = "Bearer ";
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[Scheme.Length..].Trim();
        return ServiceTokens.IsServiceToken(token) ? token : null;
    }

    /// <summary>The proven user id, whether or not an account exists for it yet.</summary>
    private async Task<string> RequireAuthenticatedIdAsync(ServerCallContext context)
    {
        if (await ServiceCallerAsync(context) is { } service)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Service account '{service.ServiceAccountId}' may not call {MethodName(context)}: an application only posts into " +
                "and reads the groups its scopes name (CreatePost, GetPost, GetGroupFeed) and, with webhooks.receive, manages its webhooks; it never acts as a person."));
        }

        if (options.Mode == AuthMode.DevelopmentHeader)
        {
            var header = context.RequestHeaders.GetValue(UserHeader);
            return string.IsNullOrWhiteSpace(header)
                ? throw Unauthenticated($"This call needs a caller: set the '{UserHeader}' header to your user id.")
                : header;
        }

        var result = await context.GetHttpContext().AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (result.None)
        {
            throw Unauthenticated("This call needs a bearer token: send the header 'authorization: Bearer <token>'.");
        }

        if (!result.Succeeded)
        {
            throw Unauthenticated(Describe(result.Failure));
        }

        var claim = options.Jwt.UserIdClaim;
        var userId = result.Principal.FindFirst(claim)?.Value;
        if (string.IsNullOrEmpty(userId))
        {
            throw Unauthenticated($"The bearer token has no '{claim}' claim naming the user.");
        }

        return Require.IsId(userId)
            ? userId
            : throw Unauthenticated($"The bearer token's '{claim}' claim is not a valid user id.");
    }

    // Saying why a token was refused helps the person fixing a client and tells an attacker
    // nothing they did not already know about the token they sent.
    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "The bearer token has expired: get a new one.",
        SecurityTokenNotYetValidException => "The bearer token is not valid yet (nbf is in the future).",
        SecurityTokenNoExpirationException => "The bearer token has no expiry (exp); tokens must expire.",
        SecurityTokenInvalidIssuerException => "The bearer token comes from an issuer this engine does not trust.",
        SecurityTokenInvalidAudienceException => "The bearer token is meant for another audience.",
        SecurityTokenSignatureKeyNotFoundException => "The bearer token is signed with a key this engine does not know.",
        SecurityTokenInvalidSignatureException or SecurityTokenInvalidAlgorithmException => "The bearer token's signature is not valid.",
        SecurityTokenMalformedException => "The bearer token is malformed.",
        _ => "The bearer token is not valid.",
    };

    private static string MethodName(ServerCallContext context) => context.Method[(context.Method.LastIndexOf('/') + 1)..];

    private static RpcException Unauthenticated(string message) => new(new Status(StatusCode.Unauthenticated, message));
}

/// <summary>A proven, active caller and their role in the network.</summary>
public sealed record Caller(string UserId, NetworkRole Role, bool ConfiguredAdmin)
{
    public bool IsNetworkAdmin => Role == NetworkRole.Admin;
}
