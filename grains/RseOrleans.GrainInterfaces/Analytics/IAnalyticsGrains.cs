using Orleans.Concurrency;
using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>The network's figures for one day. Key: "yyyy-MM-dd" (UTC).</summary>
public interface INetworkDayGrain : IGrainWithStringKey
{
    /// <summary>
    /// Counts the batch. False when, within a rebuild, it holds flushes counted already and others
    /// not: nothing is counted, and the sender sends its flushes one by one.
    /// </summary>
    Task<bool> Record([Immutable] ActivityBatch batch);

    /// <summary>
    /// Empties the figures (a rebuild replays the journal into them next) and opens a rebuild window:
    /// until <see cref="EndRebuild"/> each journal flush is counted once, whether it comes live or replayed.
    /// </summary>
    Task Reset();

    /// <summary>The rebuild replayed everything: the window closes and the flushes it remembered are forgotten.</summary>
    Task EndRebuild();

    [ReadOnly, AlwaysInterleave]
    Task<NetworkDay> Get();

    /// <summary>Changes with every recorded batch: a watcher asks for the day again only when it moved.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<long> GetVersion();
}

/// <summary>One group's figures for one day. Key: "{group}/yyyy-MM-dd".</summary>
public interface IGroupDayGrain : IGrainWithStringKey
{
    /// <summary>
    /// Counts the batch. False when, within a rebuild, it holds flushes counted already and others
    /// not: nothing is counted, and the sender sends its flushes one by one.
    /// </summary>
    Task<bool> Record([Immutable] ActivityBatch batch);

    /// <summary>A post created this day got its first response after so many seconds.</summary>
    [OneWay]
    Task RecordFirstResponse(long postId, long seconds);

    /// <summary>
    /// Empties the figures (a rebuild replays the journal into them next) and opens a rebuild window:
    /// until <see cref="EndRebuild"/> each journal flush is counted once, whether it comes live or replayed.
    /// </summary>
    Task Reset();

    /// <summary>The rebuild replayed everything: the window closes and the flushes it remembered are forgotten.</summary>
    Task EndRebuild();

    [ReadOnly, AlwaysInterleave]
    Task<GroupDay> Get();
}

/// <summary>One post's reach and engagement. Key: the post id.</summary>
public interface IPostReachGrain : IGrainWithIntegerKey
{
    /// <summary>The post exists: its author (by number), group and time (from its creation event).</summary>
    Task Created(int author, string? groupId, DateTimeOffset at);

    /// <summary>
    /// Counts the batch. False when, within a rebuild, it holds flushes counted already and others
    /// not: nothing is counted, and the sender sends its flushes one by one.
    /// </summary>
    Task<bool> Record([Immutable] ActivityBatch batch);

    /// <summary>
    /// Empties the figures (a rebuild replays the journal into them next) and opens a rebuild window:
    /// until <see cref="EndRebuild"/> each journal flush is counted once, whether it comes live or replayed.
    /// </summary>
    Task Reset();

    /// <summary>The rebuild replayed everything: the window closes and the flushes it remembered are forgotten.</summary>
    Task EndRebuild();

    [ReadOnly, AlwaysInterleave]
    Task<PostFigures> Get();
}

/// <summary>
/// Every person the statistics have seen, numbered 0, 1, 2, … in the order first seen, with their
/// department, location and time-zone region as codes, and which of them ever acted. The only
/// analytics grain that keeps user ids: the others count numbers. Key: 0.
/// </summary>
public interface IAnalyticsPeopleGrain : IGrainWithIntegerKey
{
    /// <summary>The people's numbers, in order; a person seen for the first time gets the next one.</summary>
    Task<int[]> Number([Immutable] IReadOnlyList<string> userIds);

    /// <summary>
    /// <see cref="Number"/>, and which of them have no places yet: people counted whose profile was
    /// never read (accounts that existed before counting began), so that the recorder reads it once.
    /// </summary>
    Task<MetPeople> Meet([Immutable] IReadOnlyList<string> userIds);

    /// <summary>
    /// Acts (activation), profiles read (places) and erasures: an erased person's id and places
    /// are dropped; their number is never given again, so the counts of the past stay.
    /// </summary>
    Task Record([Immutable] PeopleChanges changes);

    [ReadOnly, AlwaysInterleave]
    Task<PeoplePlaces> GetPlaces();

    /// <summary>People numbered (accounts created or seen since counting began), and those that ever acted.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<AccountFigures> GetFigures();

    /// <summary>The user ids of these numbers, in order; null for an erased person.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<string?[]> GetIds([Immutable] IReadOnlyList<int> numbers);
}
