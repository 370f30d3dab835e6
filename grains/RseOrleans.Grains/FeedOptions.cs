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
    /// Readers who have not read their feed for this long are skipped by the fan-out of large
    /// audiences; their feed is rebuilt, complete, when they come back.
    /// </summary>
    public TimeSpan InactiveAfter { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Pushed audiences from this size on skip inactive readers; smaller ones are pushed to everyone.</summary>
    public int SkipInactiveFromAudience { get; set; } = 1_000;

    /// <summary>How long a silo reuses what it read of the pulled sources before asking again.</summary>
    public TimeSpan PullRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}
