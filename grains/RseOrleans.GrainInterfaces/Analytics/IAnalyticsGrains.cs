using Orleans.Concurrency;
using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>The network's figures for one day. Key: "yyyy-MM-dd" (UTC).</summary>
public interface INetworkDayGrain : IGrainWithStringKey
{
    Task Record([Immutable] ActivityBatch batch);

    [ReadOnly, AlwaysInterleave]
    Task<NetworkDay> Get();

    /// <summary>Changes with every recorded batch: a watcher asks for the day again only when it moved.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<long> GetVersion();
}

/// <summary>One group's figures for one day. Key: "{group}/yyyy-MM-dd".</summary>
public interface IGroupDayGrain : IGrainWithStringKey
{
    Task Record([Immutable] ActivityBatch batch);

    /// <summary>A post created this day got its first response after so many seconds.</summary>
    [OneWay]
    Task RecordFirstResponse(long postId, long seconds);

    /// <summary>Takes the person out of the named figures (who acted how much); the counts stay.</summary>
    Task Forget(string userId);

    [ReadOnly, AlwaysInterleave]
    Task<GroupDay> Get();
}

/// <summary>One post's reach and engagement. Key: the post id.</summary>
public interface IPostReachGrain : IGrainWithIntegerKey
{
    /// <summary>The post exists: its author, group and time (from its creation event).</summary>
    Task Created(string authorId, string? groupId, DateTimeOffset at);

    Task Record([Immutable] ActivityBatch batch);

    [ReadOnly, AlwaysInterleave]
    Task<PostFigures> Get();
}

/// <summary>Every account created or seen active, and those that ever acted. Key: 0.</summary>
public interface IAccountFiguresGrain : IGrainWithIntegerKey
{
    Task Record([Immutable] IReadOnlyList<string> seen, [Immutable] IReadOnlyList<string> acted);

    [ReadOnly, AlwaysInterleave]
    Task<AccountFigures> Get();
}


/// <summary>The department and location of every account, counted per value. Key: 0.</summary>
public interface IAccountPlacesGrain : IGrainWithIntegerKey
{
    /// <summary>Accounts created or whose profile changed: their department and location now.</summary>
    Task Record([Immutable] IReadOnlyList<AccountPlace> places);

    /// <summary>Erased accounts: no longer counted anywhere.</summary>
    Task Forget([Immutable] IReadOnlyList<string> userIds);

    [ReadOnly, AlwaysInterleave]
    Task<PlaceCounts> GetCounts();
}
