using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Reads;
using RseOrleans.Api.Validation;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Services;

/// <summary>
/// Topics: following them, their feeds, and what trends. A topic is a source (see
/// <see cref="SourceId.Topic"/>), so a followed topic reaches the home feed by the same push or pull
/// as a followed person; every read goes through the same checks as any feed.
/// </summary>
public sealed class TopicsService(IGrainFactory grains, CallerIdentity identity, AccessPolicy access, GrainReads reads, FeedPager pager) : Topics.TopicsBase
{
    public const int DefaultTrendingCount = 10;
    public const int MaxTrendingCount = 50;

    public override async Task<FollowTopicResponse> FollowTopic(FollowTopicRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var topic = RequireTopic(request.Topic);

        var changed = await grains.GetGrain<ITopicFollowsGrain>(caller).Follow(topic);
        return new FollowTopicResponse { Changed = changed, Topic = topic };
    }

    public override async Task<UnfollowTopicResponse> UnfollowTopic(UnfollowTopicRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var topic = RequireTopic(request.Topic);

        var changed = await grains.GetGrain<ITopicFollowsGrain>(caller).Unfollow(topic);
        return new UnfollowTopicResponse { Changed = changed, Topic = topic };
    }

    public override async Task<ListFollowedTopicsResponse> ListFollowedTopics(ListFollowedTopicsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var pageSize = Require.PageSize(request.PageSize);
        var after = PageToken.Decode(request.PageToken, PageToken.Topics);

        var page = await grains.GetGrain<ITopicFollowsGrain>(caller).List(after, pageSize);
        var response = new ListFollowedTopicsResponse { NextPageToken = PageToken.Next(PageToken.Topics, page.Next) };
        response.Topics.AddRange(page.Ids);
        return response;
    }

    public override async Task<FeedPage> GetTopicFeed(GetTopicFeedRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var topic = RequireTopic(request.Topic);
        var pageSize = Require.PageSize(request.PageSize);
        var before = PageToken.DecodeNumber(request.PageToken, PageToken.Topic);

        var source = grains.GetGrain<ISourceGrain>(SourceId.Topic(topic).Key);
        var page = await pager.ReadPageAsync(FeedPager.FromSource(source), before, pageSize, caller, PageToken.Topic);

        // A post whose tag an edit removed stays in the topic's window; it is shown only while it carries the tag.
        var untagged = page.Items.Where(item => !item.Post.Hashtags.Contains(topic)).ToArray();
        foreach (var item in untagged)
        {
            page.Items.Remove(item);
        }

        return page;
    }

    public override async Task<ListTrendingTopicsResponse> ListTrendingTopics(ListTrendingTopicsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var window = request.WindowDays switch
        {
            0 => TopicRules.DefaultTrendingWindow,
            >= 1 and <= 30 => TimeSpan.FromDays(request.WindowDays),
            _ => throw Fail.Invalid("window_days", "must be between 1 and 30 (0: 7 days)."),
        };
        var count = request.PageSize switch
        {
            0 => DefaultTrendingCount,
            >= 1 and <= MaxTrendingCount => request.PageSize,
            _ => throw Fail.Invalid("page_size", $"must be between 1 and {MaxTrendingCount} (0: {DefaultTrendingCount})."),
        };

        // Twice as many candidates as asked for: the caller's counts may reorder them.
        var candidates = await grains.GetGrain<ITrendingTopicsGrain>(0).Top(DateTimeOffset.UtcNow - window, count * 2);
        var trends = await TrendingCounts.CountAsync(candidates, caller, reads, access);
        var response = new ListTrendingTopicsResponse();
        response.Topics.AddRange(trends
            .Where(trend => trend.Authors > 0)
            .OrderByDescending(trend => trend.Authors)
            .ThenByDescending(trend => trend.Latest)
            .Take(count)
            .Select(trend => new TrendingTopic
            {
                Topic = trend.Topic,
                AuthorCount = trend.Authors,
                LatestPostTime = Timestamp.FromDateTimeOffset(trend.Latest),
            }));
        return response;
    }

    /// <summary>A topic a caller names (with or without '#'), normalised as a hashtag in a text.</summary>
    private static string RequireTopic(string value) =>
        MentionsAndTagsParser.TryNormalizeHashtag(value ?? "", out var topic)
            ? topic
            : throw Fail.Invalid("topic", "must be one hashtag: letters, digits, marks or '_', at least one letter, at most 100 characters, with or without its '#'.");
}
