using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// One service account, keyed by its id: its scopes, its state and its tokens' hashes. The API
/// generates a token's secret and gives this grain only its SHA-256, so no stored state, log or
/// ledger ever holds a usable token.
/// </summary>
public interface IServiceAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account; ALREADY_EXISTS when the id is taken.</summary>
    Task<ServiceAccountSnapshot> Create(string displayName, string ownerId, string[] scopes);

    /// <summary>The account, or null when it was never created.</summary>
    [AlwaysInterleave]
    Task<ServiceAccountSnapshot?> Get();

    Task<ServiceAccountSnapshot> SetScopes(string[] scopes);

    Task<ServiceAccountSnapshot> Disable();

    Task<ServiceTokenInfo> AddToken(string tokenId, string prefix, byte[] secretHash, DateTimeOffset expiresAt);

    [AlwaysInterleave]
    Task<IReadOnlyList<ServiceTokenInfo>> ListTokens();

    Task<ServiceTokenInfo> RevokeToken(string tokenId);

    /// <summary>Whether the token with this id and secret hash proves the account now; notes its use.</summary>
    Task<ServiceTokenCheck> Verify(string tokenId, byte[] secretHash);

    /// <summary>
    /// Takes one write from the account's allowance: null when taken, else how long until one is
    /// left. The same bucket and rule as a person's (<see cref="IUserGrain.TakeWriteAllowance"/>),
    /// keyed by the account, whichever of its tokens calls.
    /// </summary>
    Task<TimeSpan?> TakeWriteAllowance(WriteAllowance allowance);
}

/// <summary>The ids of every service account of the network: one grain, key <see cref="NetworkKey"/>.</summary>
public interface IServiceAccountDirectoryGrain : IGrainWithStringKey
{
    public const string NetworkKey = "network";

    Task Add(string serviceAccountId);

    [AlwaysInterleave]
    Task<IReadOnlyList<string>> List();
}
