using System.Security.Cryptography;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.ServiceAccounts;

[GenerateSerializer]
[Alias("rse.ServiceAccountState")]
public sealed class ServiceAccountState
{
    /// <summary>Null until created.</summary>
    [Id(0)]
    public ServiceAccountSnapshot? Account { get; set; }

    [Id(1)]
    public List<StoredServiceToken> Tokens { get; set; } = [];
}

/// <summary>A token as stored: its SHA-256, never its secret.</summary>
[GenerateSerializer]
[Alias("rse.StoredServiceToken")]
public sealed class StoredServiceToken
{
    [Id(0)]
    public required ServiceTokenInfo Info { get; set; }

    [Id(1)]
    public required byte[] SecretHash { get; set; }
}

/// <summary>
/// One service account: its scopes, whether it is disabled, its tokens' hashes. Tokens are
/// verified here, so a revocation or a disabling is known to every silo at once; the API caches a
/// verification only briefly (see docs/security.md).
/// </summary>
[GrainType("service-account")]
public sealed class ServiceAccountGrain(
    [PersistentState("service-account", StorageNames.Main)] IPersistentState<ServiceAccountState> state,
    TimeProvider clock) : Grain, IServiceAccountGrain
{
    /// <summary>A token's last use is written at most this often: a busy bot must not write on every call.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    /// <summary>Tokens kept per account, revoked and expired ones included (the list is their history).</summary>
    public const int MaxTokens = 100;

    private WriteAllowanceBucket writeAllowance;

    private string Id => this.GetPrimaryKeyString();

    public Task<TimeSpan?> TakeWriteAllowance(WriteAllowance allowance) => Task.FromResult(writeAllowance.Take(allowance, clock));

    public async Task<ServiceAccountSnapshot> Create(string displayName, string ownerId, string[] scopes)
    {
        if (state.State.Account is { } existing)
        {
            return existing.DisplayName == displayName && existing.OwnerId == ownerId && existing.Scopes.SequenceEqual(scopes)
                ? existing // the same creation again: a retry
                : throw new DomainException(DomainError.AlreadyExists, $"Service account '{Id}' already exists.");
        }

        state.State.Account = new ServiceAccountSnapshot(Id, displayName, ownerId, scopes, Disabled: false, clock.GetUtcNow());
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IServiceAccountDirectoryGrain>(IServiceAccountDirectoryGrain.NetworkKey).Add(Id);
        return state.State.Account;
    }

    public Task<ServiceAccountSnapshot?> Get() => Task.FromResult(state.State.Account);

    public async Task<ServiceAccountSnapshot> SetScopes(string[] scopes)
    {
        var account = RequireAccount();
        state.State.Account = account with { Scopes = scopes };
        await state.WriteStateAsync();
        return state.State.Account;
    }

    public async Task<ServiceAccountSnapshot> Disable()
    {
        var account = RequireAccount();
        if (!account.Disabled)
        {
            state.State.Account = account with { Disabled = true };
            await state.WriteStateAsync();
        }

        return state.State.Account!;
    }

    public async Task<ServiceTokenInfo> AddToken(string tokenId, string prefix, byte[] secretHash, DateTimeOffset expiresAt)
    {
        var account = RequireAccount();
        if (account.Disabled)
        {
            throw DomainException.Precondition($"Service account '{Id}' is disabled: it gets no new tokens.");
        }

        if (state.State.Tokens.Count >= MaxTokens)
        {
            // The oldest token no longer usable makes room; a full list of live tokens is refused.
            var now = clock.GetUtcNow();
            var spent = state.State.Tokens.FindIndex(token => token.Info.RevokedAt is not null || token.Info.ExpiresAt <= now);
            if (spent < 0)
            {
                throw DomainException.Precondition($"Service account '{Id}' has {MaxTokens} live tokens: revoke one first.");
            }

            state.State.Tokens.RemoveAt(spent);
        }

        var info = new ServiceTokenInfo(tokenId, prefix, clock.GetUtcNow(), expiresAt, LastUsedAt: null, RevokedAt: null);
        state.State.Tokens.Add(new StoredServiceToken { Info = info, SecretHash = secretHash });
        await state.WriteStateAsync();
        return info;
    }

    public Task<IReadOnlyList<ServiceTokenInfo>> ListTokens()
    {
        RequireAccount();
        return Task.FromResult<IReadOnlyList<ServiceTokenInfo>>([.. state.State.Tokens.Select(token => token.Info).Reverse()]);
    }

    public async Task<ServiceTokenInfo> RevokeToken(string tokenId)
    {
        RequireAccount();
        var token = state.State.Tokens.Find(token => token.Info.TokenId == tokenId)
            ?? throw DomainException.NotFound($"Token '{tokenId}' of service account '{Id}'");
        if (token.Info.RevokedAt is null)
        {
            token.Info = token.Info with { RevokedAt = clock.GetUtcNow() };
            await state.WriteStateAsync();
        }

        return token.Info;
    }

    public async Task<ServiceTokenCheck> Verify(string tokenId, byte[] secretHash)
    {
        var now = clock.GetUtcNow();
        var token = state.State.Tokens.Find(token => token.Info.TokenId == tokenId);
        // Compared in constant time: how long a refusal takes says nothing about the stored hash.
        if (state.State.Account is not { } account || token is null || !CryptographicOperations.FixedTimeEquals(token.SecretHash, secretHash))
        {
            return new ServiceTokenCheck(null, default, "The service token is not known here.");
        }

        if (token.Info.RevokedAt is not null)
        {
            return new ServiceTokenCheck(null, default, "The service token was revoked: ask a network admin for a new one.");
        }

        if (token.Info.ExpiresAt <= now)
        {
            return new ServiceTokenCheck(null, default, "The service token has expired: ask a network admin for a new one.");
        }

        if (account.Disabled)
        {
            return new ServiceTokenCheck(null, default, $"Service account '{Id}' is disabled.");
        }

        if (token.Info.LastUsedAt is not { } last || now - last >= LastUseResolution)
        {
            token.Info = token.Info with { LastUsedAt = now };
            await state.WriteStateAsync();
        }

        return new ServiceTokenCheck(account, token.Info.ExpiresAt, null);
    }

    private ServiceAccountSnapshot RequireAccount() =>
        state.State.Account ?? throw DomainException.NotFound($"Service account '{Id}'");
}

[GenerateSerializer]
[Alias("rse.ServiceAccountDirectoryState")]
public sealed class ServiceAccountDirectoryState
{
    [Id(0)]
    public SortedSet<string> Ids { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The network's service account ids, for listing them. Few: one small state.</summary>
[GrainType("service-account-directory")]
public sealed class ServiceAccountDirectoryGrain(
    [PersistentState("service-account-directory", StorageNames.Main)] IPersistentState<ServiceAccountDirectoryState> state) : Grain, IServiceAccountDirectoryGrain
{
    public async Task Add(string serviceAccountId)
    {
        if (state.State.Ids.Add(serviceAccountId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Ids]);
}
