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

/// <summary>One act on a post, for the grains of its day, its group and its post.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.ActRecord")]
public sealed record ActRecord(
    [property: Id(0)] string ActorId,
    [property: Id(1)] AnalyticsAct Act,
    [property: Id(2)] long PostId,
    [property: Id(3)] DateTimeOffset At);

/// <summary>What one silo saw for one day (and one group, or one post) since its last flush.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.ActivityBatch")]
public sealed record ActivityBatch(
    [property: Id(0)] IReadOnlyList<string> Readers,
    [property: Id(1)] IReadOnlyList<ActRecord> Acts)
{
    /// <summary>Posts served, one entry per post and reader (a group day and a post count them).</summary>
    [Id(2)]
    public IReadOnlyList<long> ServedPosts { get; init; } = [];

    /// <summary>Members who joined (+) or left (-), for a group's day.</summary>
    [Id(3)]
    public int MembersChange { get; init; }

    /// <summary>Posts served in this batch, all readers together (a network day counts them).</summary>
    [Id(4)]
    public long Served { get; init; }
}

/// <summary>One day of the network, as its grain holds it: distinct people, exactly.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.NetworkDay")]
public sealed record NetworkDay(
    [property: Id(0)] IReadOnlyCollection<string> Active,
    [property: Id(1)] IReadOnlyCollection<string> Contributors,
    [property: Id(2)] long Posts,
    [property: Id(3)] long Comments,
    [property: Id(4)] long Reactions,
    [property: Id(5)] long Shares,
    [property: Id(6)] long Served,
    [property: Id(7)] long Version);

/// <summary>One day of one group.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.analytics.GroupDay")]
public sealed record GroupDay(
    [property: Id(0)] IReadOnlyCollection<string> Active,
    [property: Id(1)] IReadOnlyDictionary<string, int> ActsBy,
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
