namespace RseOrleans.Grains;

/// <summary>Settings of the feed engine (configuration section "Feed").</summary>
public sealed class FeedOptions
{
    public const string Section = "Feed";

    /// <summary>Entries a home timeline keeps; older ones fall off.</summary>
    public int MaxEntries { get; set; } = 800;

    /// <summary>Recent posts a source remembers for backfills, rebuilds and its own page listing.</summary>
    public int SourceWindow { get; set; } = 1000;

    /// <summary>Recent posts of a newly followed or joined source copied into the timeline.</summary>
    public int BackfillPerSource { get; set; } = 50;

    /// <summary>Feed deliveries a source keeps in flight at once while fanning out.</summary>
    public int FanoutConcurrency { get; set; } = 256;

    /// <summary>
    /// Audiences larger than this are not pushed to: their feeds pull the source's posts at read
    /// time. A pulled source goes back to push once its audience is below three quarters of it.
    /// </summary>
    public int PushThreshold { get; set; } = 10_000;

    /// <summary>
    /// A feed neither read nor watched for this long leaves memory (its grain's idle collection
    /// age). From then on fan-outs skip its reader, since deliveries only go to feeds in memory;
    /// the next read builds the timeline again, complete, from the timeline store and the activity
    /// log, or from the sources.
    /// </summary>
    public TimeSpan InactiveAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Durable mode: how long the timeline store keeps the saved timeline of a feed not in memory.</summary>
    public TimeSpan TimelineRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// How long a source that has never published stays in memory after a feed's rebuild asked it
    /// for its posts: most users never post, and each of their feeds' rebuilds asks their own source.
    /// </summary>
    public TimeSpan EmptySourceLeavesAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a silo reuses what it read of the pulled sources before asking again.</summary>
    public TimeSpan PullRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Durable mode: how often an active feed saves its timeline to the timeline store (Redis) when
    /// it has changed. It is saved on deactivation too; whatever a crash loses is caught up from the
    /// activity log on reactivation.
    /// </summary>
    public TimeSpan TimelineSaveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Durable mode: a restored timeline catches up on the posts published since this long before it
    /// was saved, which covers fan-outs still under way at the moment of the save.
    /// </summary>
    public TimeSpan TimelineCatchUpMargin { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Durable mode: a fan-out not confirmed complete after this long is resumed by any silo.</summary>
    public TimeSpan FanoutRecoveryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Durable mode: how often each silo looks for fan-outs to resume.</summary>
    public TimeSpan FanoutRecoveryInterval { get; set; } = TimeSpan.FromSeconds(5);
}
