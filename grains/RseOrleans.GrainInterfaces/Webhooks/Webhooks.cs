namespace RseOrleans.Model;

/// <summary>What a webhook subscribes, as its owner set it.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.WebhookSpec")]
public sealed record WebhookSpec(
    [property: Id(0)] string Url,
    [property: Id(1)] EngineEventKind[] Kinds,
    [property: Id(2)] string Description);

/// <summary>A new webhook: its owner and its scope (a group, or null for the network).</summary>
[GenerateSerializer, Immutable]
[Alias("rse.WebhookCreation")]
public sealed record WebhookCreation(
    [property: Id(0)] string OwnerId,
    [property: Id(1)] string? GroupId,
    [property: Id(2)] WebhookSpec Spec);

/// <summary>
/// A change to a webhook; null fields stay as they are. Rotating the secret keeps the previous
/// one valid for <see cref="PreviousSecretValidFor"/> (null: the setting's default).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.WebhookChange")]
public sealed record WebhookChange(
    [property: Id(0)] WebhookSpec? Spec,
    [property: Id(1)] bool? Enabled,
    [property: Id(2)] bool RotateSecret,
    [property: Id(3)] TimeSpan? PreviousSecretValidFor);

[GenerateSerializer]
public enum WebhookDisabledReason
{
    None = 0,
    ByOwner = 1,
    Failures = 2,
    Gone = 3,
}

/// <summary>A webhook as its owner sees it. The secrets are shown to its managers only (the API decides when).</summary>
[GenerateSerializer, Immutable]
[Alias("rse.WebhookSnapshot")]
public sealed record WebhookSnapshot(
    [property: Id(0)] string WebhookId,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] string? GroupId,
    [property: Id(3)] WebhookSpec Spec,
    [property: Id(4)] bool Enabled,
    [property: Id(5)] WebhookDisabledReason DisabledReason,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] string Secret,
    [property: Id(8)] DateTimeOffset? PreviousSecretUntil,
    [property: Id(9)] int PendingDeliveries,
    [property: Id(10)] int ConsecutiveFailures);

[GenerateSerializer]
public enum DeliveryStatus
{
    Pending = 1,
    Succeeded = 2,
    /// <summary>Every attempt of the retry schedule failed, or the endpoint was disabled while it waited.</summary>
    Failed = 3,
    /// <summary>Not sent: the webhook's owner may not read what the event is about (any more).</summary>
    Skipped = 4,
}

/// <summary>One attempt to deliver: its HTTP status (0: no answer), how long it took and what went wrong.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.DeliveryAttempt")]
public sealed record DeliveryAttempt(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] int StatusCode,
    [property: Id(2)] TimeSpan Duration,
    [property: Id(3)] string Error);

/// <summary>One event for one webhook, with its attempts (the last few).</summary>
[GenerateSerializer, Immutable]
[Alias("rse.WebhookDelivery")]
public sealed record WebhookDelivery(
    [property: Id(0)] string DeliveryId,
    [property: Id(1)] EngineEvent Event,
    [property: Id(2)] DeliveryStatus Status,
    [property: Id(3)] IReadOnlyList<DeliveryAttempt> Attempts,
    [property: Id(4)] DateTimeOffset? NextAttemptAt)
{
    /// <summary>Failed attempts since it was last queued: where it is in the retry schedule.</summary>
    [Id(5)]
    public int FailedTries { get; init; }
}
