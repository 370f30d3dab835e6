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
}
