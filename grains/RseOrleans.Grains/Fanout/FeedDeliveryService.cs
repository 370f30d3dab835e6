using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime.Services;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Fanout;

/// <summary>
/// The silo's end of a fan-out. Each listed reader whose feed is in memory here gets the post
/// offered straight to their timeline (<see cref="Feeds.HomeTimeline.Offer"/>), well under a
/// microsecond instead of a grain call each; a watched feed gets a grain call, since its watchers
/// must be woken now. Readers whose feed is not in memory are skipped: their feed has not been read
/// for a while, and its next activation builds the timeline from the activity log or the sources,
/// where the post already is.
/// </summary>
[Reentrant]
public sealed class FeedDeliveryService(
    GrainId id,
    Silo silo,
    ILoggerFactory loggerFactory,
    LocalFeeds feeds,
    FeedDeliveryClient cluster,
    IGrainFactory grains,
    IOptions<FeedOptions> options,
    ILogger<FeedDeliveryService> logger) : GrainService(id, silo, loggerFactory), IFeedDeliveryService
{
    public async Task<int> Deliver(FeedDelivery delivery, string[] userIds, SiloAddress[] sentTo)
    {
        var sourceKey = delivery.Source.Key;
        var held = 0;
        List<string>? watched = null;
        foreach (var userId in userIds)
        {
            if (feeds.Find(userId) is not { } timeline)
            {
                continue;
            }

            held++;
            if (!timeline.Offer(sourceKey, delivery.PostId))
            {
                (watched ??= []).Add(userId);
            }
        }

        if (watched is not null)
        {
            await DeliverByCallAsync(delivery, watched);
        }

        if (held > 0)
        {
            EngineMetrics.FeedDeliveries.Add(held);
            EngineMetrics.FanoutLag.Record((DateTimeOffset.UtcNow - TimeOrderedIdGenerator.TimestampOf(delivery.PostId)).TotalMilliseconds);
        }

        if (!await cluster.ForwardAsync(delivery, userIds, sentTo))
        {
            throw new OrleansException($"Post {delivery.PostId} could not be forwarded to a silo its sender did not know yet; the fan-out stays pending and is retried.");
        }

        return held;
    }

    /// <summary>Delivers to watched feeds by grain call, a bounded number at a time; any failure fails the whole delivery.</summary>
    private async Task DeliverByCallAsync(FeedDelivery delivery, List<string> userIds)
    {
        var failed = 0;
        foreach (var batch in userIds.Chunk(options.Value.FanoutConcurrency))
        {
            var results = await Task.WhenAll(batch.Select(userId => TryDeliverByCallAsync(delivery, userId)));
            failed += results.Count(delivered => !delivered);
        }

        if (failed > 0)
        {
            throw new OrleansException($"{failed} watched feeds did not take post {delivery.PostId}; the fan-out stays pending and is retried.");
        }
    }

    private async Task<bool> TryDeliverByCallAsync(FeedDelivery delivery, string userId)
    {
        try
        {
            await grains.GetGrain<IFeedGrain>(userId).Deliver(delivery);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            logger.LogWarning(ex, "Delivery of post {PostId} to the watched feed of {UserId} failed", delivery.PostId, userId);
            return false;
        }
    }
}

/// <summary>Sends a fan-out to the delivery service of every silo of the cluster.</summary>
public sealed class FeedDeliveryClient(IServiceProvider services, IClusterMembershipService membership, ILogger<FeedDeliveryClient> logger)
    : GrainServiceClient<IFeedDeliveryService>(services)
{
    /// <summary>
    /// Delivers to every reader's feed in memory on any silo, and says whether every silo took it:
    /// a silo that could not be reached may hold some of the feeds, so the fan-out must be retried.
    /// </summary>
    public Task<bool> DeliverAsync(FeedDelivery delivery, string[] userIds) =>
        DeliverAsKnownAsync(delivery, userIds, HoldingSilos());

    /// <summary>
    /// Delivers through the silos of <paramref name="known"/> only, as a silo whose view of the
    /// cluster is behind would: they forward it to the silos they know beside.
    /// </summary>
    internal async Task<bool> DeliverAsKnownAsync(FeedDelivery delivery, string[] userIds, SiloAddress[] known)
    {
        var results = await Task.WhenAll(known.Select(silo => DeliverToAsync(silo, delivery, userIds, known)));
        return results.All(delivered => delivered);
    }

    /// <summary>
    /// Sends the delivery on to the silos this silo knows and <paramref name="sentTo"/> does not: a
    /// silo that has just joined may already hold feeds (a reader's read placed one there) while the
    /// sender's view of the cluster does not list it yet. True when there were none, or all took it.
    /// </summary>
    internal async Task<bool> ForwardAsync(FeedDelivery delivery, string[] userIds, SiloAddress[] sentTo)
    {
        var missed = HoldingSilos().Except(sentTo).ToArray();
        if (missed.Length == 0)
        {
            return true;
        }

        SiloAddress[] all = [.. sentTo, .. missed];
        var results = await Task.WhenAll(missed.Select(silo => DeliverToAsync(silo, delivery, userIds, all)));
        return results.All(delivered => delivered);
    }

    /// <summary>Feeds are in memory only on silos that have joined; one leaving still holds its feeds until it has stopped.</summary>
    private SiloAddress[] HoldingSilos() =>
    [
        .. membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status is SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Stopping)
            .Select(member => member.SiloAddress),
    ];

    private async Task<bool> DeliverToAsync(SiloAddress silo, FeedDelivery delivery, string[] userIds, SiloAddress[] sentTo)
    {
        try
        {
            await GetGrainService(silo).Deliver(delivery, userIds, sentTo);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            logger.LogWarning(ex, "Delivery of post {PostId} to the feeds on silo {Silo} failed", delivery.PostId, silo);
            return false;
        }
    }
}
