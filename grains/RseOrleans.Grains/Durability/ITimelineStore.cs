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

/// <summary>A timeline a store can save: it says whether it changed since it was last taken.</summary>
public interface ISavableTimeline
{
    /// <summary>The timeline as it stands, when it changed since last taken (and is built); else null.</summary>
    TimelineSnapshot? TakeSnapshotIfChanged(DateTimeOffset savedAt);
}

/// <summary>
/// Where materialised home timelines are kept between activations (Redis in durable mode), so a
/// feed grain that reactivates does not recompute. Never the only copy: a missing, stale or
/// unreadable snapshot only means the timeline is rebuilt.
/// </summary>
public interface ITimelineStore
{
    /// <summary>
    /// Called as a feed grain activates: arranges for <paramref name="save"/> to run as often as the
    /// store wants its copy refreshed while the grain stays in memory.
    /// </summary>
    void ScheduleSaves(IGrainBase feed, Func<Task> save);

    /// <summary>The saved snapshot, or null when there is none or the store cannot be reached.</summary>
    Task<TimelineSnapshot?> LoadAsync(string userId);

    /// <summary>
    /// Saves the timeline if it changed since it was last saved; a store that cannot be reached is
    /// logged, never an error for the reader.
    /// </summary>
    Task SaveAsync(string userId, ISavableTimeline timeline);
}

/// <summary>The embedded default: timelines live only as long as their feed grain, so nothing is saved or scheduled.</summary>
public sealed class NoTimelineStore : ITimelineStore
{
    public void ScheduleSaves(IGrainBase feed, Func<Task> save)
    {
    }

    public Task<TimelineSnapshot?> LoadAsync(string userId) => Task.FromResult<TimelineSnapshot?>(null);

    public Task SaveAsync(string userId, ISavableTimeline timeline) => Task.CompletedTask;
}
