using System.Security.Cryptography;
using System.Text;

namespace RseOrleans.Grains.Webhooks;

/// <summary>
/// Standard Webhooks signing: the signature is "v1," and the base64 HMAC-SHA256, keyed with the
/// secret's bytes (the base64 after "whsec_"), of "{webhook-id}.{webhook-timestamp}.{body}".
/// </summary>
public static class WebhookSigning
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string messageId, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(
            Convert.FromBase64String(secret[SecretPrefix.Length..]),
            Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}")));
}
