using System.Diagnostics.Metrics;

namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// The grains' own measurements (meter <see cref="MeterName"/>). A meter nobody listens to costs
/// next to nothing; they are exported only when telemetry is configured (docs/deployment.md).
/// </summary>
public static class EngineMetrics
{
    public const string MeterName = "RseOrleans.Engine";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Posts stored by their source and handed to fan-out.</summary>
    public static readonly Counter<long> PostsPublished =
        Meter.CreateCounter<long>("rse.posts.published", "{post}", "Posts stored and handed to fan-out");

    /// <summary>Entries a silo put into the home feeds it holds in memory.</summary>
    public static readonly Counter<long> FeedDeliveries =
        Meter.CreateCounter<long>("rse.feed.deliveries", "{delivery}", "Entries delivered into home feeds held in memory");

    /// <summary>From a post's creation (its time-ordered id) to its delivery into the feeds of one silo.</summary>
    public static readonly Histogram<double> FanoutLag =
        Meter.CreateHistogram<double>("rse.fanout.lag", "ms", "Time from a post's creation to its delivery into the feeds of a silo");

    /// <summary>Webhook delivery attempts by outcome: succeeded, refused (an HTTP error), no_answer (timeout, connection), skipped (the owner may not read it), disabled (the endpoint was turned off), dropped (events beyond a full queue).</summary>
    public static readonly Counter<long> WebhookAttempts =
        Meter.CreateCounter<long>("rse.webhook.attempts", "{attempt}", "Webhook delivery attempts, by outcome");
}
