namespace RseOrleans.Grains.Durability;

/// <summary>What happened to a post; the values are stored, never renumber them.</summary>
public enum ActivityKind : short
{
    Posted = 1,
    Edited = 2,
    Deleted = 3,
    Commented = 4,
    CommentDeleted = 5,
}

/// <param name="ActivityId">
/// Time-ordered and unique per kind: the post id for <see cref="ActivityKind.Posted"/>, the comment id
/// for a comment, an id recorded with the request for an edit or a delete, so that a retry appends
/// the very same activity again and the log keeps it once.
/// </param>
public sealed record Activity(
    long ActivityId,
    ActivityKind Kind,
    long PostId,
    string SourceKey,
    string ActorId,
    string? Body,
    DateTimeOffset OccurredAt);

public readonly record struct SourcePost(string SourceKey, long PostId);

public readonly record struct PendingFanout(string SourceKey, long PostId);

/// <summary>
/// The append-only record of every post's activity. In durable mode it is a PostgreSQL table and the
/// truth a home feed is rebuilt from; in the embedded default nothing is kept (<see cref="NoActivityLog"/>)
/// and feeds are rebuilt from the sources' recent windows.
/// </summary>
public interface IActivityLog
{
    /// <summary>
    /// Appends an activity; appending the same one again changes nothing. A post whose fan-out is
    /// about to start is also recorded as pending until <see cref="FanoutsCompletedAsync"/>.
    /// </summary>
    Task AppendAsync(Activity activity, bool fanoutPending = false);

    /// <summary>
    /// Appends several activities in one round trip, as <see cref="AppendAsync"/> does each: the
    /// ones already there are left as they are, so appending a batch again changes nothing.
    /// </summary>
    Task AppendAllAsync(IReadOnlyList<Activity> activities, bool fanoutPending = false);

    /// <summary>Clears the pending marks of posts whose fan-out completed, in one round trip however many.</summary>
    Task FanoutsCompletedAsync(IReadOnlyCollection<long> postIds);

    /// <summary>
    /// Removes every activity of an erased user, text included: the one exception to "append-only",
    /// because erasure must reach every copy (docs/security.md).
    /// </summary>
    Task EraseActorAsync(string userId);

    /// <summary>Fan-outs still pending after <paramref name="olderThan"/>: their silo may have died.</summary>
    Task<IReadOnlyList<PendingFanout>> PendingFanoutsAsync(TimeSpan olderThan, int max);

    /// <summary>A source's live posts, newest first, strictly older than <paramref name="before"/> when given.</summary>
    Task<IReadOnlyList<long>> PostsOfAsync(string sourceKey, long? before, int count);

    /// <summary>
    /// The newest live posts of all the given sources together, newest first, strictly newer than
    /// <paramref name="after"/> when given: one query however many sources a user follows.
    /// </summary>
    Task<IReadOnlyList<SourcePost>> NewestPostsOfAsync(IReadOnlyCollection<string> sourceKeys, long? after, int count);
}

/// <summary>The embedded default: nothing outlives the process, so nothing is logged.</summary>
public sealed class NoActivityLog : IActivityLog
{
    public Task AppendAsync(Activity activity, bool fanoutPending = false) => Task.CompletedTask;

    public Task AppendAllAsync(IReadOnlyList<Activity> activities, bool fanoutPending = false) => Task.CompletedTask;

    public Task FanoutsCompletedAsync(IReadOnlyCollection<long> postIds) => Task.CompletedTask;

    public Task EraseActorAsync(string userId) => Task.CompletedTask;

    public Task<IReadOnlyList<PendingFanout>> PendingFanoutsAsync(TimeSpan olderThan, int max) =>
        Task.FromResult<IReadOnlyList<PendingFanout>>([]);

    public Task<IReadOnlyList<long>> PostsOfAsync(string sourceKey, long? before, int count) =>
        Task.FromResult<IReadOnlyList<long>>([]);

    public Task<IReadOnlyList<SourcePost>> NewestPostsOfAsync(IReadOnlyCollection<string> sourceKeys, long? after, int count) =>
        Task.FromResult<IReadOnlyList<SourcePost>>([]);
}
