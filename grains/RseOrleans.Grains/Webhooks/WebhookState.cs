using RseOrleans.Model;

namespace RseOrleans.Grains.Webhooks;

[GenerateSerializer]
[Alias("rse.WebhookState")]
public sealed class WebhookState
{
    /// <summary>Who manages it and whose right to read is checked at each delivery: a user id, or <c>app:&lt;account id&gt;</c>.</summary>
    [Id(0)]
    public string? OwnerId { get; set; }

    /// <summary>The group whose events it takes; null: the network's.</summary>
    [Id(1)]
    public string? GroupId { get; set; }

    [Id(2)]
    public WebhookSpec? Spec { get; set; }

    [Id(3)]
    public WebhookDisabledReason DisabledReason { get; set; }

    [Id(4)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(5)]
    public string Secret { get; set; } = "";

    /// <summary>The secret before the last rotation, still signing until <see cref="PreviousSecretUntil"/>.</summary>
    [Id(6)]
    public string? PreviousSecret { get; set; }

    [Id(7)]
    public DateTimeOffset? PreviousSecretUntil { get; set; }

    /// <summary>Deliveries not done yet, in the order their events came: only the first is ever being sent.</summary>
    [Id(8)]
    public List<WebhookDelivery> Queue { get; set; } = [];

    /// <summary>The last deliveries done, oldest first, at most the setting's HistoryLimit.</summary>
    [Id(9)]
    public List<WebhookDelivery> History { get; set; } = [];

    /// <summary>Failed attempts in a row, across deliveries; a success starts again from zero.</summary>
    [Id(10)]
    public int ConsecutiveFailures { get; set; }

    public bool Exists => Spec is not null;

    public bool Enabled => Exists && DisabledReason == WebhookDisabledReason.None;
}
