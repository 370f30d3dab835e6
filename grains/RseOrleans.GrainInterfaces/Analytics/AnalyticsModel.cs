using System.Globalization;

namespace RseOrleans.Model;

/// <summary>An act the statistics count: what a contributor does, as against reading.</summary>
[GenerateSerializer]
public enum AnalyticsAct
{
    Post = 1,
    Comment = 2,
    Reaction = 3,
    Share = 4,
}

/// <summary>
/// An act as the analytics grains get it: by the person's number (<see cref="IAnalyticsPeopleGrain"/>),
/// so that no grain but the people's keeps a user id.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.PersonAct")]
public sealed record PersonAct(
    [property: Id(0)] int Person,
    [property: Id(1)] AnalyticsAct Act,
    [property: Id(2)] long PostId,
    [property: Id(3)] DateTimeOffset At)
{
    /// <summary>The group the act was in (null: a profile post), so that the network's day can tally groups.</summary>
    [Id(4)]
    public string? GroupId { get; init; }
}

/// <summary>What one silo saw for one day (and one group, or one post) since its last flush; people by number.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.ActivityBatch")]
public sealed record ActivityBatch(
    [property: Id(0)] IReadOnlyList<int> Readers,
    [property: Id(1)] IReadOnlyList<PersonAct> Acts)
{
    /// <summary>Posts served and how often, all readers together (a group day and the network's most served count them).</summary>
    [Id(2)]
    public IReadOnlyDictionary<long, int> ServedPosts { get; init; } = new Dictionary<long, int>();

    /// <summary>Members who joined (+) or left (-), for a group's day.</summary>
    [Id(3)]
    public int MembersChange { get; init; }

    /// <summary>Posts served in this batch, all readers together (a network day counts them).</summary>
    [Id(4)]
    public long Served { get; init; }

    /// <summary>Members who joined (+) or left (-) per group, for the network's day.</summary>
    [Id(5)]
    public IReadOnlyDictionary<string, int> GroupMembersChanges { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// The journal's numbers of the flushes this batch counts (<see cref="IAnalyticsJournal.AppendAsync"/>):
    /// one for a live flush, a page's for a replay; empty when not journaled (embedded mode). A grain
    /// being rebuilt counts each flush once.
    /// </summary>
    [Id(6)]
    public IReadOnlyList<long> Flushes { get; init; } = [];
}

/// <summary>
/// One day of the network, as its grain holds it: distinct people, exactly, as bitmaps over person
/// numbers (<see cref="PersonBits"/>). The grain never changes an array it handed out.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.NetworkDay")]
public sealed record NetworkDay(
    [property: Id(0)] byte[] Active,
    [property: Id(1)] byte[] Contributors,
    [property: Id(2)] long Posts,
    [property: Id(3)] long Comments,
    [property: Id(4)] long Reactions,
    [property: Id(5)] long Shares,
    [property: Id(6)] long Served,
    [property: Id(7)] long Version)
{
    /// <summary>The day's figures of each group with a post, an interaction or a member change, at most <see cref="GroupTally.MaxGroupsPerDay"/>.</summary>
    [Id(8)]
    public IReadOnlyDictionary<string, GroupTally> Groups { get; init; } = new Dictionary<string, GroupTally>();

    /// <summary>More groups had figures that day than <see cref="Groups"/> holds: the later ones are not in it.</summary>
    [Id(9)]
    public bool GroupsLeftOut { get; init; }

    /// <summary>The day's most served posts and how often (a bounded list, see <see cref="MostServed"/>).</summary>
    [Id(10)]
    public IReadOnlyDictionary<long, long> MostServed { get; init; } = new Dictionary<long, long>();
}

/// <summary>One group's figures within the network's day: what the network's lists of groups are made of.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.GroupTally")]
public sealed record GroupTally(
    [property: Id(0)] long Posts,
    [property: Id(1)] long Interactions,
    [property: Id(2)] int MembersChange)
{
    /// <summary>How many groups a network day tallies: bounds the day's state and what a year's read carries.</summary>
    public const int MaxGroupsPerDay = 1_000;

    public static readonly GroupTally None = new(0, 0, 0);
}

/// <summary>
/// A bounded list of the most served posts of a day ("Space-Saving", Metwally et al. 2005): it
/// holds <see cref="Capacity"/> posts; a post not in a full list replaces the least served one
/// and inherits its count plus one. Every post served more than 1/<see cref="Capacity"/> of the
/// day's serves is in it; a count may exceed the truth by at most the smallest count kept.
/// </summary>
public static class MostServed
{
    public const int Capacity = 100;

    /// <summary>The post served <paramref name="times"/> more: as many single serves one after the other.</summary>
    public static void Add(Dictionary<long, long> counts, long postId, long times = 1)
    {
        if (counts.TryGetValue(postId, out var count))
        {
            counts[postId] = count + times;
            return;
        }

        if (counts.Count < Capacity)
        {
            counts[postId] = times;
            return;
        }

        var least = counts.MinBy(pair => pair.Value);
        counts.Remove(least.Key);
        counts[postId] = least.Value + times;
    }
}
/// <summary>One day of one group; people by number.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.GroupDay")]
public sealed record GroupDay(
    [property: Id(0)] IReadOnlyCollection<int> Active,
    [property: Id(1)] IReadOnlyDictionary<int, int> ActsBy,
    [property: Id(2)] long Posts,
    [property: Id(3)] long Comments,
    [property: Id(4)] long Reactions,
    [property: Id(5)] long Shares,
    [property: Id(6)] int MembersChange,
    [property: Id(7)] IReadOnlyDictionary<long, PostDayFigures> PostFigures,
    [property: Id(8)] IReadOnlyDictionary<long, long> FirstResponseSeconds,
    [property: Id(9)] IReadOnlyCollection<long> PostsCreated);

/// <summary>A post's figures within one group day.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.PostDayFigures")]
public sealed record PostDayFigures([property: Id(0)] long Interactions, [property: Id(1)] long Served);

/// <summary>A post's figures since it was created; people are counts, never names.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.PostFigures")]
public sealed record PostFigures(
    [property: Id(0)] int Reach,
    [property: Id(1)] int Engaged,
    [property: Id(2)] long Comments,
    [property: Id(3)] long Reactions,
    [property: Id(4)] long Shares);

/// <summary>The accounts the statistics know of, and which of them ever acted.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.AccountFigures")]
public sealed record AccountFigures([property: Id(0)] long Accounts, [property: Id(1)] long Activated);

/// <summary>Day keys: a UTC date written "yyyy-MM-dd".</summary>
public static class AnalyticsDays
{
    public static DateOnly Of(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    public static string Key(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string GroupKey(string groupId, DateOnly day) => groupId + "/" + Key(day);

    public static DateOnly ParseKey(string key) => DateOnly.ParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
