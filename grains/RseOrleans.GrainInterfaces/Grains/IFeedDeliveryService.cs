using Orleans.Services;
using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// One per silo: hands a post to every listed reader whose home feed is in memory on that silo, in
/// a single call, so that a fan-out costs one message per silo rather than one per reader.
/// </summary>
public interface IFeedDeliveryService : IGrainService
{
    /// <summary>
    /// Delivers to the feeds of <paramref name="userIds"/> that this silo holds and returns how many
    /// it holds; the others are not in memory here and are left alone. <paramref name="sentTo"/> are
    /// the silos the sender sent it to: this one forwards it to any silo it knows and the sender did
    /// not, which a silo that has just joined can be for a moment.
    /// </summary>
    Task<int> Deliver(FeedDelivery delivery, [Immutable] string[] userIds, [Immutable] SiloAddress[] sentTo);
}
