using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime.Services;
using RseOrleans.Model;

namespace RseOrleans.Grains.Fanout;

/// <summary>
/// The silo's end of a fan-out. Each listed reader whose feed is in memory here gets the post
/// appended straight into their timeline (<see cref="LocalFeed"/>), well under a microsecond instead
/// of a grain call each; a watched feed gets a grain call, since its watchers must be woken now. Readers whose feed is not in memory are
/// skipped: their feed has not been read for a while, and its next activation builds the timeline
/// from the activity log or the sources, where the post already is.
/// </summary>
[Reentrant]
public sealed class FeedDeliveryService(
    GrainId id,
    Silo silo,
    ILoggerFactory loggerFactory,
    LocalFeeds feeds,
    IGrainFactory grains,
    IOptions<FeedOptions> options,
    ILogger<FeedDeliveryService> logger) : GrainService(id, silo, loggerFactory), IFeedDeliveryService
{
    public async Task<int> Deliver(FeedDelivery delivery, string[] userIds)
    {
        var sourceKey = delivery.Source.Key;
        var held = 0;
        List<string>? watched = null;
        foreach (var userId in userIds)
        {
            if (feeds.Find(userId) is not { } feed)
            {
                continue;
            }

            held++;
            if (!feed.TryDeliver(sourceKey, delivery.PostId))
            {
                (watched ??= []).Add(userId);
            }
        }

        if (watched is not null)
        {
            await DeliverByCallAsync(delivery, watched);
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
    public async Task<bool> DeliverAsync(FeedDelivery delivery, string[] userIds)
    {
        // Feeds are in memory only on silos that have joined; one leaving still holds its feeds until it has stopped.
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status is SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Stopping)
            .Select(member => member.SiloAddress);
        var results = await Task.WhenAll(silos.Select(silo => DeliverToAsync(silo, delivery, userIds)));
        return results.All(delivered => delivered);
    }

    private async Task<bool> DeliverToAsync(SiloAddress silo, FeedDelivery delivery, string[] userIds)
    {
        try
        {
            await GetGrainService(silo).Deliver(delivery, userIds);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            logger.LogWarning(ex, "Delivery of post {PostId} to the feeds on silo {Silo} failed", delivery.PostId, silo);
            return false;
        }
    }
}
