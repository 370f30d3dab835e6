namespace RseOrleans.Model;

/// <summary>Settings of webhook delivery (section "Webhooks"); docs/architecture.md, "Webhooks", says why each default.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// The waits before each retry of a delivery that failed: 5 s, 1 min, 5 min, 30 min, 2 h, 5 h,
    /// 10 h, 14 h, 20 h and 24 h, about three days and four hours in all.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(14),
        TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    /// <summary>Plain HTTP endpoints too (development only); otherwise HTTPS is required.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Endpoints on loopback, private, link-local and metadata addresses too (development and tests only).</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>Host names or addresses allowed whatever they resolve to (an internal receiver the operator trusts).</summary>
    public IReadOnlyList<string> AllowedHosts { get; set; } = [];

    /// <summary>How long one attempt may take, connection included, before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The retry schedule; null: <see cref="DefaultRetryDelays"/>.</summary>
    public TimeSpan[]? RetryDelays { get; set; }

    /// <summary>
    /// Failed attempts in a row, across deliveries, after which the endpoint is disabled and its
    /// owner told: 11 by default, the first attempt and every retry of the schedule.
    /// </summary>
    public int DisableAfterFailures { get; set; } = 11;

    /// <summary>
    /// The durable backstop: while deliveries wait, a reminder wakes the webhook this often, so
    /// that a retry survives the loss of its silo. Orleans' own floor is one minute; a shorter one
    /// lowers that floor (tests).
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Deliveries a webhook holds waiting; events beyond are dropped (metric outcome "dropped").</summary>
    public int MaxPendingDeliveries { get; set; } = 10_000;

    /// <summary>The deliveries done that a webhook keeps for ListDeliveries and redelivery.</summary>
    public int HistoryLimit { get; set; } = 100;

    /// <summary>How long a rotated secret stays valid beside the new one when the caller does not say.</summary>
    public TimeSpan PreviousSecretValidFor { get; set; } = TimeSpan.FromHours(24);

    public IReadOnlyList<TimeSpan> Schedule => RetryDelays is { Length: > 0 } delays ? delays : DefaultRetryDelays;
}
