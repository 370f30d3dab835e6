using System.Security.Cryptography;
using System.Text;
using RseOrleans.Api.Validation;

namespace RseOrleans.Api.ServiceAccounts;

/// <summary>
/// The format of service account tokens: <c>rse_&lt;account id&gt;_&lt;token id&gt;_&lt;secret&gt;</c>,
/// the token id 16 hex digits and the secret 64 (32 random bytes). The prefix tells the engine at
/// once that a bearer token is no JWT and which grain holds its hash; '_' is in no account id, so
/// the parts split without ambiguity. A secret scanner can look for <c>rse_</c>.
/// </summary>
public static class ServiceTokens
{
    public const string Prefix = "rse_";

    private const int TokenIdBytes = 8;
    private const int SecretBytes = 32;

    /// <summary>A new token for the account, with what the engine stores of it.</summary>
    public static NewServiceToken Issue(string serviceAccountId)
    {
        var tokenId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(TokenIdBytes));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretBytes));
        var visible = $"{Prefix}{serviceAccountId}_{tokenId}";
        return new NewServiceToken($"{visible}_{secret}", tokenId, visible, Hash(secret));
    }

    /// <summary>Whether a bearer token claims to be a service account token (and not a JWT).</summary>
    public static bool IsServiceToken(string bearer) => bearer.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The parts of a well-formed token; null when it is malformed.</summary>
    public static PresentedServiceToken? Parse(string token)
    {
        if (!IsServiceToken(token))
        {
            return null;
        }

        var parts = token[Prefix.Length..].Split('_');
        return parts.Length == 3
            && Require.IsId(parts[0])
            && parts[1].Length == TokenIdBytes * 2 && IsLowerHex(parts[1])
            && parts[2].Length == SecretBytes * 2 && IsLowerHex(parts[2])
                ? new PresentedServiceToken(parts[0], parts[1], Hash(parts[2]))
                : null;
    }

    /// <summary>
    /// SHA-256 of the secret. No salt nor slow hash: the secret is 256 random bits, not a password,
    /// so it cannot be guessed from its hash, and verifying it must stay cheap on every call.
    /// </summary>
    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    private static bool IsLowerHex(string text) => text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}

/// <summary>A token just issued: the whole token (shown once), its id, its visible prefix and its hash.</summary>
public sealed record NewServiceToken(string Token, string TokenId, string VisiblePrefix, byte[] SecretHash);

/// <summary>A token as presented: whose it says it is, and the hash of its secret.</summary>
public sealed record PresentedServiceToken(string ServiceAccountId, string TokenId, byte[] SecretHash)
{
    /// <summary>The cache key: the token's hash binds it to this exact secret.</summary>
    public string CacheKey => $"{ServiceAccountId}_{TokenId}_{Convert.ToHexString(SecretHash)}";
}
