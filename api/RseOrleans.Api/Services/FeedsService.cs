using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using RseOrleans.Api.Access;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Telemetry;
using RseOrleans.Api.Validation;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Services;

public sealed class FeedsService(
    IClusterClient cluster,
    CallerIdentity identity,
    AccessPolicy access,
    FeedPager pager,
    PostHydrator hydrator,
    IOptions<LiveFeedOptions> liveOptions,
    IHostApplicationLifetime lifetime,
    ServiceAccounts.ApplicationCalls applications) : Feeds.FeedsBase
{
    public const string WatchStateHeader = "x-rse-watch";

    private const int ReplayBatch = 100;

    public override async Task<FeedPage> GetHomeFeed(GetHomeFeedRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var pageSize = Require.PageSize(request.PageSize);
        var before = PageToken.DecodeNumber(request.PageToken, PageToken.Home);

        var feed = cluster.GetGrain<IFeedGrain>(caller);
        var page = await pager.ReadPageAsync(feed.ReadBefore, before, pageSize, caller, PageToken.Home);
        ApiMetrics.FeedPageServed();
        return page;
    }

    public override async Task<FeedPage> GetGroupFeed(GetGroupFeedRequest request, ServerCallContext context)
    {
        if (await identity.ServiceCallerAsync(context) is { } application)
        {
            return await applications.GetGroupFeedAsync(application, request);
        }

        var caller = await identity.RequireCallerAsync(context);
        var groupId = Require.Id(request.GroupId, "group_id");
        var pageSize = Require.PageSize(request.PageSize);
        var before = PageToken.DecodeNumber(request.PageToken, PageToken.Group);
        await access.RequireReadableGroup(groupId, caller);

        var source = cluster.GetGrain<ISourceGrain>(SourceId.Group(groupId).Key);
        return await pager.ReadPageAsync(FeedPager.FromSource(source), before, pageSize, caller, PageToken.Group);
    }

    public override async Task<FeedPage> ListUserPosts(ListUserPostsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var userId = Require.Id(request.UserId, "user_id");
        var pageSize = Require.PageSize(request.PageSize);
        var before = PageToken.DecodeNumber(request.PageToken, PageToken.Profile);
        await access.RequireVisibleUser(caller, userId);

        var source = cluster.GetGrain<ISourceGrain>(SourceId.User(userId).Key);
        return await pager.ReadPageAsync(FeedPager.FromSource(source), before, pageSize, caller, PageToken.Profile);
    }

    /// <summary>
    /// Replays what the client missed, then goes live. The stream only wakes the loop up: every
    /// item sent is read from the feed grain after the last cursor sent, so a late, lost or
    /// repeated stream event can neither open a gap nor send an item twice.
    /// </summary>
    public override async Task WatchFeed(WatchFeedRequest request, IServerStreamWriter<FeedItem> responseStream, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var resumeAfter = PageToken.DecodeNumber(request.Cursor, PageToken.Home, "cursor");
        var cancellation = context.CancellationToken;
        var feed = cluster.GetGrain<IFeedGrain>(caller);
        using var wakeUps = new WatchWakeUps("feed", liveOptions.Value, await identity.CredentialsExpiryAsync(context), lifetime.ApplicationStopping);
        var stream = cluster.GetStreamProvider(StreamNames.Provider)
            .GetStream<FeedEvent>(StreamId.Create(StreamNames.HomeFeed, caller));
        var subscription = await stream.SubscribeAsync((_, _) => wakeUps.WakeUp());

        // Losing access ends the watch at once: the account grain announces it, the loop re-checks.
        var accessLost = 0;
        var accessSubscription = await cluster.GetStreamProvider(StreamNames.Provider)
            .GetStream<AccessChanged>(StreamId.Create(AccessStreams.Namespace, caller))
            .SubscribeAsync((_, _) =>
            {
                Interlocked.Exchange(ref accessLost, 1);
                return wakeUps.WakeUp();
            });

        var watcherId = Guid.NewGuid();
        try
        {
            // Watch before reading: whatever lands after this read is announced on the stream.
            await feed.Watch(watcherId, wakeUps.Lease);
            var last = resumeAfter ?? await NewestCursorAsync(feed);

            // Headers tell the client the watch is registered: nothing posted from now on can be missed.
            await context.WriteResponseHeadersAsync(new Metadata { { WatchStateHeader, "live" } });
            last = await SendNewerAsync(feed, last, caller, responseStream, cancellation);

            while (!cancellation.IsCancellationRequested)
            {
                if (!await wakeUps.WaitAsync(cancellation))
                {
                    // No wake-up for a while: renew the lease and read anyway. This brings the posts of
                    // pulled sources, which announce nothing, covers any lost wake-up, and the account
                    // check covers a lost access event.
                    Interlocked.Exchange(ref accessLost, 1);
                    await feed.Watch(watcherId, wakeUps.Lease);
                }

                if (Interlocked.Exchange(ref accessLost, 0) == 1)
                {
                    await WatchWakeUps.RequireStillActiveAsync(cluster, caller);
                }

                last = await SendNewerAsync(feed, last, caller, responseStream, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away or its deadline passed: a normal end of a watch.
        }
        finally
        {
            await accessSubscription.UnsubscribeAsync();
            await subscription.UnsubscribeAsync();
            await feed.Unwatch(watcherId);
        }
    }

    private static async Task<long> NewestCursorAsync(IFeedGrain feed)
    {
        var newest = await feed.ReadBefore(before: null, count: 1);
        return newest.Refs.Count > 0 ? newest.Refs[0].Cursor : 0;
    }

    private async Task<long> SendNewerAsync(
        IFeedGrain feed, long last, string caller, IServerStreamWriter<FeedItem> responseStream, CancellationToken cancellation)
    {
        FeedRefPage page;
        do
        {
            page = await feed.ReadAfter(last, ReplayBatch);
            if (page.Refs.Count == 0)
            {
                break;
            }

            foreach (var item in await hydrator.HydrateAsync(page.Refs, caller, PageToken.Home))
            {
                await responseStream.WriteAsync(item, cancellation);
            }

            last = page.Refs[^1].Cursor;
        }
        while (page.HasMore && !cancellation.IsCancellationRequested);

        return last;
    }
}

/// <summary>Settings of live feeds (configuration section "LiveFeed").</summary>
public sealed class LiveFeedOptions
{
    public const string Section = "LiveFeed";

    /// <summary>How long a feed keeps announcing new items for a watcher that stops renewing.</summary>
    public TimeSpan WatchLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Longest wait of a watch without a wake-up before it reads its feed anyway: the live latency
    /// of posts from pulled (very large) sources.
    /// </summary>
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromSeconds(2);
}
