using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;
using AnalyticsClient = RseOrleans.Api.V1.Analytics.AnalyticsClient;

namespace RseOrleans.Tests.Analytics;

/// <summary>
/// The analytics tests' own engine: network figures are totals, so they run against an engine no
/// other collection writes to, and each test reads the change its own acts made.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AnalyticsCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "analytics";
}

/// <summary>What the analytics tests do through the API.</summary>
public static class AnalyticsCalls
{
    public static AnalyticsClient Stats(this EngineClient engine) => new(engine.Channel);

    public static async Task<DayStats> TodayAsync(this EngineClient engine, string admin) =>
        (await engine.Stats().GetNetworkStatsAsync(new GetNetworkStatsRequest(), As(admin))).Days[^1];

    public static async Task<Comment> CommentAsync(this EngineClient engine, string author, string postId, string text = "Agreed") =>
        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = postId, Text = text }, As(author));

    public static async Task ReactAsync(this EngineClient engine, string userId, string postId) =>
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, Type = ReactionType.Like }, As(userId));

    public static async Task<Post> ShareAsync(this EngineClient engine, string userId, string postId, string groupId = "") =>
        await engine.Posts.SharePostAsync(new SharePostRequest { RequestId = NewRequestId(), PostId = postId, GroupId = groupId }, As(userId));

    public static async Task<Post> ReadPostAsync(this EngineClient engine, string userId, string postId) =>
        await engine.Posts.GetPostAsync(new GetPostRequest { PostId = postId }, As(userId));

    public static async Task SetRoleAsync(this EngineClient engine, string admin, string groupId, string userId, GroupRole role) =>
        await engine.Groups.SetMemberRoleAsync(new SetMemberRoleRequest { RequestId = NewRequestId(), GroupId = groupId, UserId = userId, Role = role }, As(admin));

    /// <summary>Figures are recorded within a second: waits until <paramref name="read"/> shows what <paramref name="expected"/> says.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> expected, string what)
    {
        var latest = await read();
        await Eventually.TrueAsync(async () => expected(latest = await read()), what);
        return latest;
    }

    public static Metadata AsUser(string userId) => As(userId);

    /// <summary>A past day's acts, written to its network day as the recorder's flush writes them: people numbered first.</summary>
    public static async Task RecordPastDayAsync(
        this IGrainFactory grains, DateTimeOffset at, params (string Person, Model.AnalyticsAct Act, long PostId, string? GroupId)[] acts)
    {
        var numbers = await grains.GetGrain<IAnalyticsPeopleGrain>(0).Number([.. acts.Select(act => act.Person)]);
        await grains.GetGrain<INetworkDayGrain>(Model.AnalyticsDays.Key(Model.AnalyticsDays.Of(at))).Record(new Model.ActivityBatch(
            [], [.. acts.Select((act, i) => new Model.PersonAct(numbers[i], act.Act, act.PostId, at) { GroupId = act.GroupId })]));
    }
}
