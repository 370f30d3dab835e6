using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Reads;
using RseOrleans.Api.Validation;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Analytics;

/// <summary>
/// rse.v1.Analytics: reads the analytics grains and decides who may see what. Statistics never
/// name a reader; a guest sees none; a group's statistics are secret where the group is.
/// </summary>
public sealed class AnalyticsService(
    IGrainFactory grains,
    CallerIdentity identity,
    AccessPolicy access,
    GrainReads reads,
    NetworkStatsReader network,
    TimeProvider clock,
    IEnumerable<IAnalyticsRebuild> rebuilds) : V1.Analytics.AnalyticsBase
{
    public const int TopContributors = 10;
    public const int BestPosts = 5;

    /// <summary>How often a watch looks whether today's figures moved: the recorder's flush interval.</summary>
    public static readonly TimeSpan WatchInterval = AnalyticsRecorder.FlushInterval;

    private DateOnly Today => AnalyticsDays.Of(clock.GetUtcNow());

    public override async Task<NetworkStats> GetNetworkStats(GetNetworkStatsRequest request, ServerCallContext context)
    {
        var caller = await RequireNetworkAdminAsync(context);
        var range = StatsRange.Parse(request.StartDate, request.EndDate, Today);
        return await network.ReadAsync(range, caller.UserId);
    }

    public override async Task WatchNetworkStats(WatchNetworkStatsRequest request, IServerStreamWriter<DayStats> responseStream, ServerCallContext context)
    {
        await RequireNetworkAdminAsync(context);
        long? sent = null;
        var cancel = context.CancellationToken;
        while (!cancel.IsCancellationRequested)
        {
            var today = Today;
            var version = await grains.GetGrain<INetworkDayGrain>(AnalyticsDays.Key(today)).GetVersion();
            if (version != sent)
            {
                var stats = await network.ReadAsync(new StatsRange(today, today));
                await responseStream.WriteAsync(stats.Days[0], cancel);
                sent = version;
            }

            try
            {
                await Task.Delay(WatchInterval, clock, cancel);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task<RebuildAnalyticsResponse> RebuildAnalytics(RebuildAnalyticsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        AccessPolicy.RequireNetworkAdmin(caller, "rebuild the statistics");
        var rebuild = rebuilds.FirstOrDefault()
            ?? throw Fail.Precondition("The embedded engine keeps no analytics journal to rebuild the statistics from: its figures live in memory only. Rebuilding is for durable mode.");
        var report = await rebuild.RebuildAsync(context.CancellationToken);
        return new RebuildAnalyticsResponse
        {
            FiguresEmptied = report.FiguresEmptied,
            EntriesReplayed = report.EntriesReplayed,
            JournalSince = report.JournalSince is { } since ? Timestamp.FromDateTimeOffset(since) : null,
            RecomputedFrom = report.RecomputedFrom is { } from ? AnalyticsDays.Key(from) : "",
            FiguresKept = report.FiguresKept,
        };
    }

    public override async Task<GroupStats> GetGroupStats(GetGroupStatsRequest request, ServerCallContext context)
    {
        var caller = await RequireNotGuestAsync(context);
        var groupId = Require.Id(request.GroupId, "group_id");
        var range = StatsRange.Parse(request.StartDate, request.EndDate, Today);

        // Secret to whom the group is (NOT_FOUND), then its owners, admins and moderators, or a network admin.
        var group = await access.RequireVisibleGroup(groupId, caller.UserId);
        if (!group.IsModerator && !caller.IsNetworkAdmin)
        {
            throw Fail.Denied($"Only the owners, admins and moderators of group '{groupId}', and network admins, see its statistics.");
        }

        var snapshot = await reads.GetGroup(groupId) ?? throw Fail.NotFound($"Group '{groupId}'");
        var today = Today;
        var through = new StatsRange(range.Start, today);
        var days = await Task.WhenAll(through.Each().Select(day => grains.GetGrain<IGroupDayGrain>(AnalyticsDays.GroupKey(groupId, day)).Get()));

        var stats = new GroupStats { GroupId = groupId };
        var members = (long)snapshot.MemberCount;
        var membersAtEnd = new long[days.Length];
        for (var i = days.Length - 1; i >= 0; i--)
        {
            membersAtEnd[i] = members;
            members -= days[i].MembersChange;
        }

        var inRange = days.Take(range.Days).ToArray();
        for (var i = 0; i < inRange.Length; i++)
        {
            var day = inRange[i];
            stats.Days.Add(new GroupDayStats
            {
                Date = AnalyticsDays.Key(range.Start.AddDays(i)),
                Members = Math.Max(0, membersAtEnd[i]),
                ActiveMembers = day.Active.Count,
                Posts = day.Posts,
                Comments = day.Comments,
                Reactions = day.Reactions,
                Shares = day.Shares,
            });
        }

        stats.ActiveInRange = inRange.SelectMany(d => d.Active).Distinct().Count();
        var created = inRange.Sum(d => d.PostsCreated.Count);
        var responses = inRange.SelectMany(d => d.FirstResponseSeconds.Values).Order().ToArray();
        stats.RespondedShare = created == 0 ? 0 : (double)responses.Length / created;
        stats.MedianSecondsToFirstResponse = Median(responses);

        if (snapshot.MemberCount >= NetworkStatsReader.SmallestShownGroup)
        {
            stats.TopContributors.AddRange(await TopContributorsAsync(inRange));
        }

        stats.BestPosts.AddRange(await BestPostsAsync(inRange, caller.UserId));
        return stats;
    }

    public override async Task<PostStats> GetPostStats(GetPostStatsRequest request, ServerCallContext context)
    {
        var caller = await RequireNotGuestAsync(context);
        var postId = Require.NumericId(request.PostId, "post_id");
        var (post, group) = await access.RequireShownPost(postId, caller.UserId);
        if (post.AuthorId != caller.UserId && group?.IsAdmin != true && !caller.IsNetworkAdmin)
        {
            throw Fail.Denied($"Only the author of post '{postId}', its group's owners and admins, and network admins, see its statistics.");
        }

        var figures = grains.GetGrain<IPostReachGrain>(postId).Get();
        var audience = await grains.GetGrain<ISourceGrain>(post.Source.Key).GetAudienceCount();
        var (reach, engaged, comments, reactions, shares) = await figures;
        return new PostStats
        {
            PostId = postId.ToString(CultureInfo.InvariantCulture),
            Reach = reach,
            Audience = audience,
            ReachShare = audience == 0 ? 0 : (double)reach / audience,
            Engaged = engaged,
            Engagement = reach == 0 ? 0 : (double)engaged / reach,
            Comments = comments,
            Reactions = reactions,
            Shares = shares,
        };
    }

    private static double Median(long[] sorted) =>
        sorted.Length == 0 ? 0
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
        : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2.0;

    /// <summary>
    /// The most active people of the range. The days count acts by person number; an erased
    /// person's number has no id any more, and an erased account is never named in any case.
    /// </summary>
    private async Task<IEnumerable<Contributor>> TopContributorsAsync(GroupDay[] days)
    {
        var acts = days.SelectMany(d => d.ActsBy)
            .GroupBy(pair => pair.Key)
            .Select(g => (Person: g.Key, Acts: g.Sum(pair => (long)pair.Value)))
            .ToArray();
        var ids = await grains.GetGrain<IAnalyticsPeopleGrain>(0).GetIds([.. acts.Select(a => a.Person)]);
        var ranked = acts.Select((a, i) => (UserId: ids[i], a.Acts))
            .Where(c => c.UserId is not null)
            .Select(c => (UserId: c.UserId!, c.Acts))
            .OrderByDescending(c => c.Acts).ThenBy(c => c.UserId, StringComparer.Ordinal)
            .Take(TopContributors * 2)
            .ToArray();
        var accounts = await Task.WhenAll(ranked.Select(c => reads.GetAccount(c.UserId)));
        var users = await Task.WhenAll(ranked.Select(c => reads.GetUser(c.UserId)));
        return ranked
            .Select((c, i) => (c, Account: accounts[i], User: users[i]))
            .Where(x => x.Account.IsActive || x.Account.Status == Model.AccountStatus.Deactivated)
            .Where(x => !x.Account.IsErased && x.User is not null)
            .Take(TopContributors)
            .Select(x => new Contributor { UserId = x.c.UserId, DisplayName = x.User!.Profile.DisplayName, Acts = x.c.Acts });
    }

    /// <summary>The posts with the most interactions, then served most; a post the caller may no longer read is left out.</summary>
    private async Task<IEnumerable<BestPost>> BestPostsAsync(GroupDay[] days, string viewerId)
    {
        var ranked = days.SelectMany(d => d.PostFigures)
            .GroupBy(pair => pair.Key)
            .Select(g => (PostId: g.Key, Interactions: g.Sum(p => p.Value.Interactions), Served: g.Sum(p => p.Value.Served)))
            .OrderByDescending(p => p.Interactions).ThenByDescending(p => p.Served).ThenByDescending(p => p.PostId)
            .Take(BestPosts * 2)
            .ToArray();
        var posts = await Task.WhenAll(ranked.Select(p => reads.GetPost(p.PostId, viewerId)));
        var shown = ranked.Where((_, i) => posts[i] is not null).Take(BestPosts).ToArray();
        var figures = await Task.WhenAll(shown.Select(p => grains.GetGrain<IPostReachGrain>(p.PostId).Get()));
        return shown.Select((p, i) => new BestPost
        {
            PostId = p.PostId.ToString(CultureInfo.InvariantCulture),
            Interactions = p.Interactions,
            Served = p.Served,
            Reach = figures[i].Reach,
        });
    }

    private async Task<Caller> RequireNotGuestAsync(ServerCallContext context)
    {
        var caller = await identity.RequireCallerAccountAsync(context);
        return caller.Role == Model.NetworkRole.Guest ? throw Fail.Denied("Guests see no statistics.") : caller;
    }

    private async Task<Caller> RequireNetworkAdminAsync(ServerCallContext context)
    {
        var caller = await RequireNotGuestAsync(context);
        AccessPolicy.RequireNetworkAdmin(caller, "see the network's statistics");
        return caller;
    }
}
