namespace RseOrleans.Grains.Durability;

/// <summary>
/// A home timeline as it stood when saved: its sources, and its entries oldest first with their
/// cursors and the index of their source in <see cref="Sources"/>.
/// </summary>
public sealed record TimelineSnapshot(
    string[] Sources,
    long[] Cursors,
    long[] PostIds,
    ushort[] SourceIndexes,
    DateTimeOffset SavedAt);

/// <summary>
/// Where materialised home timelines are kept between activations (Redis in durable mode), so a
/// feed grain that reactivates does not recompute. Never the only copy: a missing, stale or
/// unreadable snapshot only means the timeline is rebuilt from the activity log.
/// </summary>
public interface ITimelineStore
{
    bool IsKept { get; }

    /// <summary>The saved snapshot, or null when there is none or the store cannot be reached.</summary>
    Task<TimelineSnapshot?> LoadAsync(string userId);

    /// <summary>Saves a snapshot; a store that cannot be reached is logged, never an error for the reader.</summary>
    Task SaveAsync(string userId, TimelineSnapshot snapshot);
}

/// <summary>The embedded default: timelines live only as long as their feed grain.</summary>
public sealed class UnkeptTimelineStore : ITimelineStore
{
    public bool IsKept => false;

    public Task<TimelineSnapshot?> LoadAsync(string userId) => Task.FromResult<TimelineSnapshot?>(null);

    public Task SaveAsync(string userId, TimelineSnapshot snapshot) => Task.CompletedTask;
}
