namespace RseOrleans.Grains.Webhooks;

/// <summary>A webhook's signing secrets: rotation keeps the previous one signing beside the new one for a while.</summary>
internal static class WebhookSecrets
{
    public static void Rotate(WebhookState webhook, DateTimeOffset previousUntil)
    {
        webhook.PreviousSecret = webhook.Secret;
        webhook.PreviousSecretUntil = previousUntil;
        webhook.Secret = WebhookSigning.NewSecret();
    }

    /// <summary>The secrets that sign now: the current one, and the previous one while still valid.</summary>
    public static string[] Signing(WebhookState webhook, DateTimeOffset now) =>
        webhook.PreviousSecret is { } previous && webhook.PreviousSecretUntil > now
            ? [webhook.Secret, previous]
            : [webhook.Secret];

    /// <summary>Until when the previous secret still signs, or null when it no longer does.</summary>
    public static DateTimeOffset? PreviousValidUntil(WebhookState webhook, DateTimeOffset now) =>
        webhook.PreviousSecretUntil > now ? webhook.PreviousSecretUntil : null;
}
