namespace RseOrleans.Grains;

/// <summary>
/// Who has read their feed lately: one of a fixed number of shards (key = shard number) of an
/// in-memory registry. Fan-out skips the inactive members of large audiences; a feed whose owner
/// comes back after being counted inactive is rebuilt before it is served.
/// </summary>
public interface IPresenceGrain : IGrainWithIntegerKey
{
    public const int Shards = 64;

    /// <summary>Records a read; returns whether the user already counted as active just before.</summary>
    Task<bool> Seen(string userId);

    /// <summary>The users of <paramref name="userIds"/> who count as active.</summary>
    [AlwaysInterleave]
    Task<string[]> FilterActive(string[] userIds);
}

public static class Presence
{
    public static IPresenceGrain PresenceOf(this IGrainFactory grains, string userId) =>
        grains.GetGrain<IPresenceGrain>(ReactionShards.ShardOf(userId, IPresenceGrain.Shards));
}
