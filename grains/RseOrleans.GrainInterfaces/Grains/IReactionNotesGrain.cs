using System.Globalization;
using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// Which reaction shards may hold reactions of the users of one bucket (a stable hash of the user
/// id, see <see cref="ReactionNotes.BucketOf"/>), on posts of one period (as in
/// <see cref="ContentIndex.PeriodOf"/>). Key: <c>&lt;bucket&gt;/&lt;period&gt;</c>. Reaction shards
/// write it; export and erasure read it.
/// </summary>
/// <remarks>
/// A user's content index would be the natural place for these notes, but on a hot post every
/// reaction comes from a different user, and one index write per user cannot be shared by the
/// shard's group commit: these grains are shared by many users so that a shard notes a whole batch
/// with one call per bucket, and each of them commits in groups too.
/// Notes are written before the reaction and removed only once the user is erased, so they may
/// name a shard that holds nothing of the user, never miss one that does.
/// </remarks>
public interface IReactionNotesGrain : IGrainWithStringKey
{
    /// <summary>
    /// Notes that <paramref name="shard"/> may hold reactions of each of <paramref name="userIds"/>;
    /// durable when it returns. Returns the users it refused because they are erased: their
    /// reactions must not be made.
    /// </summary>
    Task<IReadOnlyList<string>> Note(ReactionRef shard, IReadOnlyList<string> userIds);

    [AlwaysInterleave]
    Task<IReadOnlyList<ReactionRef>> GetShardsOf(string userId);

    /// <summary>Refuses notes of the user from now on (durably); returns their notes.</summary>
    Task<IReadOnlyList<ReactionRef>> Seal(string userId);

    /// <summary>Drops the notes of a sealed user, once their reactions are removed; the seal stays.</summary>
    Task Forget(string userId);
}

public static class ReactionNotes
{
    /// <summary>
    /// Fixed for good: erasure finds a user's notes by this number, so changing it would lose
    /// them. 16 keeps the grains few enough for a shard of a post split in 8 (the default) to
    /// note a batch with two calls (bucket and shard come from the same hash), and each grain's
    /// state a sixteenth of a period's reactions.
    /// </summary>
    public const int Buckets = 16;

    public static int BucketOf(string userId) => ReactionShards.ShardOf(userId, Buckets);

    public static string Key(int bucket, int period) =>
        string.Create(CultureInfo.InvariantCulture, $"{bucket}/{period}");

    /// <summary>The notes grain where <paramref name="userId"/>'s reactions to posts of <paramref name="period"/> are noted.</summary>
    public static IReactionNotesGrain ReactionNotesOf(this IGrainFactory grains, string userId, int period) =>
        grains.GetGrain<IReactionNotesGrain>(Key(BucketOf(userId), period));

    public static IReactionNotesDirectoryGrain ReactionNotesDirectoryOf(this IGrainFactory grains, string userId) =>
        grains.GetGrain<IReactionNotesDirectoryGrain>(BucketOf(userId));
}
