using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Reads;
using RseOrleans.Api.Validation;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;
using GroupNotificationLevel = RseOrleans.Model.GroupNotificationLevel;
using NotificationKind = RseOrleans.Model.NotificationKind;
using NotificationSettings = RseOrleans.Api.V1.NotificationSettings;
using NotificationGroup = RseOrleans.Api.V1.NotificationGroup;
using NotificationGroupPage = RseOrleans.Model.NotificationGroupPage;

namespace RseOrleans.Api.Services;

public sealed class NotificationsService(
    IClusterClient cluster,
    CallerIdentity identity,
    GrainReads reads,
    NotificationReader reader,
    IOptions<LiveFeedOptions> liveOptions,
    IHostApplicationLifetime lifetime) : Notifications.NotificationsBase
{
    private const int ReplayBatch = 100;

    public override async Task<ListNotificationsResponse> ListNotifications(ListNotificationsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var pageSize = Require.PageSize(request.PageSize);
        var before = PageToken.DecodeNumber(request.PageToken, PageToken.Notifications);
        var markers = reads.GetNotificationMarkers(caller);

        // Groups the caller may not see are left out; the page may come out shorter, the token moves on.
        var page = await reads.ReadNotificationsBefore(caller, before, pageSize);
        var visible = await reader.VisibleAsync(page.Groups, caller);
        var groups = await reader.ToProtoAsync(visible, caller, (await markers).NotificationsRead);
        var response = new ListNotificationsResponse
        {
            NextPageToken = page.HasMore ? PageToken.Encode(PageToken.Notifications, page.Groups[^1].Position) : "",
        };
        response.Groups.AddRange(request.Ungrouped ? groups.SelectMany(Ungroup) : groups);
        return response;
    }

    /// <summary>
    /// One entry per recent act: a group keeps its few most recent actors only, so an ungrouped
    /// list shows those acts, each with a count of 1, and not the older acts a large group counts.
    /// </summary>
    private static IEnumerable<NotificationGroup> Ungroup(NotificationGroup group) =>
        group.RecentActors.Count <= 1 && group.Count == 1
            ? [group]
            : group.RecentActors.Select(actor =>
            {
                var single = group.Clone();
                single.Count = 1;
                single.RecentActors.Clear();
                single.RecentActors.Add(actor);
                return single;
            });

    public override async Task<UnreadCount> GetUnreadCount(GetUnreadCountRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        return await reader.CountUnreadAsync(caller);
    }

    public override async Task<Markers> MarkNotificationsRead(MarkNotificationsReadRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var grain = cluster.GetGrain<INotificationsGrain>(caller);
        var upTo = PageToken.DecodeNumber(request.Cursor, PageToken.Notifications, "cursor") ?? await grain.GetLastChange();
        return ToProto(await grain.MarkRead(upTo, request.AlsoSeen));
    }

    public override async Task<Markers> GetMarkers(GetMarkersRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        return ToProto(await reads.GetNotificationMarkers(caller));
    }

    public override async Task<Markers> UpdateMarkers(UpdateMarkersRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        if (request.Version < 0)
        {
            throw Fail.Invalid("version", "must not be negative.");
        }

        var update = new MarkerUpdate(
            request.Version,
            PageToken.DecodeNumber(request.HomeFeed, PageToken.Home, "home_feed"),
            PageToken.DecodeNumber(request.NotificationsRead, PageToken.Notifications, "notifications_read"),
            PageToken.DecodeNumber(request.NotificationsSeen, PageToken.Notifications, "notifications_seen"));
        return ToProto(await cluster.GetGrain<INotificationsGrain>(caller).UpdateMarkers(update));
    }

    public override async Task<NotificationSettings> GetNotificationSettings(GetNotificationSettingsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        return ToProto(await reads.GetNotificationSettings(caller));
    }

    public override async Task<NotificationSettings> UpdateNotificationSettings(UpdateNotificationSettingsRequest request, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var settings = ToDomain(request.Settings ?? throw Fail.Invalid("settings", "is required."));
        return ToProto(await cluster.GetGrain<INotificationsGrain>(caller).UpdateSettings(settings));
    }

    /// <summary>
    /// Replays what the client missed, then goes live, as <see cref="FeedsService.WatchFeed"/> does:
    /// the stream only wakes the loop up, and every group sent is read from the grain after the last
    /// change stamp sent, so a late, lost or repeated wake-up can neither open a gap nor send twice.
    /// The unread counts are sent at the start and whenever they change (a read on another device
    /// is a change of the grain, so it wakes the watch too).
    /// </summary>
    public override async Task WatchNotifications(WatchNotificationsRequest request, IServerStreamWriter<NotificationUpdate> responseStream, ServerCallContext context)
    {
        var caller = await identity.RequireCallerAsync(context);
        var resumeAfter = PageToken.DecodeNumber(request.Cursor, PageToken.NotificationChanges, "cursor");
        var cancellation = context.CancellationToken;
        var grain = cluster.GetGrain<INotificationsGrain>(caller);
        using var wakeUps = new WatchWakeUps("notifications", liveOptions.Value, await identity.CredentialsExpiryAsync(context), lifetime.ApplicationStopping);
        var subscription = await cluster.GetStreamProvider(StreamNames.Provider)
            .GetStream<NotificationsChanged>(StreamId.Create(NotificationLimits.StreamNamespace, caller))
            .SubscribeAsync((_, _) => wakeUps.WakeUp());

        var watcherId = Guid.NewGuid();
        try
        {
            // Watch before reading: whatever changes after this read is announced on the stream.
            await grain.Watch(watcherId, wakeUps.Lease);
            var last = resumeAfter ?? await grain.GetLastChange();
            await context.WriteResponseHeadersAsync(new Metadata { { FeedsService.WatchStateHeader, "live" } });
            UnreadCount? sentCounts = null;
            (last, sentCounts) = await SendChangesAsync(grain, caller, last, sentCounts, responseStream, cancellation);

            while (!cancellation.IsCancellationRequested)
            {
                if (!await wakeUps.WaitAsync(cancellation))
                {
                    // No wake-up for a while: renew the lease and read anyway (a lost wake-up, new
                    // home-feed items, a lost access).
                    await grain.Watch(watcherId, wakeUps.Lease);
                    await WatchWakeUps.RequireStillActiveAsync(cluster, caller);
                }

                (last, sentCounts) = await SendChangesAsync(grain, caller, last, sentCounts, responseStream, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away or its deadline passed: a normal end of a watch.
        }
        finally
        {
            await subscription.UnsubscribeAsync();
            await grain.Unwatch(watcherId);
        }
    }

    private async Task<(long Last, UnreadCount Counts)> SendChangesAsync(
        INotificationsGrain grain, string caller, long last, UnreadCount? sentCounts, IServerStreamWriter<NotificationUpdate> responseStream, CancellationToken cancellation)
    {
        var markers = await grain.GetMarkers();
        var readMarker = markers.NotificationsRead;

        // Counted beside the groups' reads and writes: both read after the wake-up, and a change
        // after either brings another wake-up.
        var counting = reader.CountUnreadAsync(caller, markers);
        NotificationGroupPage page;
        do
        {
            page = await grain.ReadChangedAfter(last, ReplayBatch);
            if (page.Groups.Count == 0)
            {
                break;
            }

            // A group gone to 0 is sent as it is (the client drops it); any other only when visible.
            var visible = (await reader.VisibleAsync([.. page.Groups.Where(group => group.Count > 0)], caller)).Select(group => group.Key).ToHashSet(StringComparer.Ordinal);
            var shown = page.Groups.Where(group => group.Count == 0 || visible.Contains(group.Key)).ToArray();
            var protos = await reader.ToProtoAsync(shown, caller, readMarker);
            for (var i = 0; i < shown.Length; i++)
            {
                await responseStream.WriteAsync(new NotificationUpdate { Cursor = PageToken.Encode(PageToken.NotificationChanges, shown[i].Changed), Group = protos[i] }, cancellation);
            }

            last = page.Groups[^1].Changed;
        }
        while (page.HasMore && !cancellation.IsCancellationRequested);

        var counts = await counting;
        if (!counts.Equals(sentCounts))
        {
            await responseStream.WriteAsync(new NotificationUpdate { Cursor = PageToken.Encode(PageToken.NotificationChanges, last), Unread = counts }, cancellation);
        }

        return (last, counts);
    }

    private static Markers ToProto(NotificationMarkers markers) => new()
    {
        Version = markers.Version,
        HomeFeed = markers.HomeFeed == 0 ? "" : PageToken.Encode(PageToken.Home, markers.HomeFeed),
        NotificationsRead = markers.NotificationsRead == 0 ? "" : PageToken.Encode(PageToken.Notifications, markers.NotificationsRead),
        NotificationsSeen = markers.NotificationsSeen == 0 ? "" : PageToken.Encode(PageToken.Notifications, markers.NotificationsSeen),
        UpdateTime = Timestamp.FromDateTimeOffset(markers.UpdatedAt),
    };

    private static NotificationSettings ToProto(Model.NotificationSettings settings)
    {
        var proto = new NotificationSettings();
        proto.DisabledKinds.AddRange(settings.DisabledKinds.Select(kind => (V1.NotificationKind)kind));
        proto.GroupLevels.AddRange(settings.GroupLevels.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => new GroupLevel { GroupId = pair.Key, Level = (V1.GroupNotificationLevel)pair.Value }));
        proto.MutedPostIds.AddRange(settings.MutedPosts.Select(postId => postId.ToString(CultureInfo.InvariantCulture)));
        return proto;
    }

    private static Model.NotificationSettings ToDomain(NotificationSettings settings)
    {
        var kinds = settings.DisabledKinds.Select(kind => (NotificationKind)Require.Defined(kind, "settings.disabled_kinds")).Distinct().ToArray();
        var levels = new Dictionary<string, GroupNotificationLevel>(StringComparer.Ordinal);
        foreach (var level in settings.GroupLevels)
        {
            var groupId = Require.Id(level.GroupId, "settings.group_levels.group_id");
            levels[groupId] = System.Enum.IsDefined(level.Level)
                ? (GroupNotificationLevel)level.Level
                : throw Fail.Invalid("settings.group_levels.level", "must be one of GROUP_NOTIFICATION_LEVEL_MENTIONS, _ALL, _NONE.");
        }

        var muted = settings.MutedPostIds.Select(postId => Require.NumericId(postId, "settings.muted_post_ids")).Distinct().ToArray();
        return new Model.NotificationSettings(kinds, levels, muted);
    }
}
