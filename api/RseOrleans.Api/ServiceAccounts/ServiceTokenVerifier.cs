using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.ServiceAccounts;

/// <summary>
/// Turns a presented <c>rse_</c> token into the service account it proves, asking the account's
/// grain and trusting the answer for <see cref="ServiceAccountOptions.VerificationCache"/>. Every
/// failure is UNAUTHENTICATED with words saying what to do.
/// </summary>
public sealed class ServiceTokenVerifier(IGrainFactory grains, IOptions<ServiceAccountOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (ServiceCaller Caller, DateTimeOffset Until)> verified = new(StringComparer.Ordinal);

    public async Task<ServiceCaller> RequireAsync(string token)
    {
        var presented = ServiceTokens.Parse(token)
            ?? throw Unauthenticated("The service token is malformed: send it whole, as the engine issued it.");
        var now = clock.GetUtcNow();
        if (verified.TryGetValue(presented.CacheKey, out var entry) && entry.Until > now && entry.Caller.ExpiresAt > now)
        {
            return entry.Caller;
        }

        var check = await grains.GetGrain<IServiceAccountGrain>(presented.ServiceAccountId).Verify(presented.TokenId, presented.SecretHash);
        if (check.Account is not { } account)
        {
            verified.TryRemove(presented.CacheKey, out _);
            throw Unauthenticated(check.Refusal ?? "The service token is not valid.");
        }

        var caller = new ServiceCaller(account, check.ExpiresAt);
        if (verified.Count > MaxCached)
        {
            verified.Clear();
        }

        verified[presented.CacheKey] = (caller, now + options.Value.VerificationCache);
        return caller;
    }

    /// <summary>Forgets what this process verified for the account: a change made here counts at once here.</summary>
    public void Forget(string serviceAccountId)
    {
        foreach (var key in verified.Keys.Where(key => key.StartsWith(serviceAccountId + "_", StringComparison.Ordinal)))
        {
            verified.TryRemove(key, out _);
        }
    }

    // Bounds memory against a flood of well-formed guesses; a cleared cache only costs grain calls.
    private const int MaxCached = 10_000;

    private static RpcException Unauthenticated(string message) => new(new Status(StatusCode.Unauthenticated, message));
}

/// <summary>A verified service account calling, with its scopes as they were a few seconds ago at most.</summary>
public sealed record ServiceCaller(ServiceAccountSnapshot Account, DateTimeOffset ExpiresAt)
{
    public string ServiceAccountId => Account.ServiceAccountId;

    /// <summary>The id its posts carry as author, and its reads pass as viewer.</summary>
    public string AuthorId => ApplicationAuthor.Of(Account.ServiceAccountId);
}
