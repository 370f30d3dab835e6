using Orleans.Concurrency;
using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// One webhook subscription: its endpoint, secrets and queue of deliveries, sent in order, at least
/// once, retried on a schedule that survives a silo restart. Key: the webhook id.
/// </summary>
public interface IWebhookGrain : IGrainWithStringKey, IEngineEventSubscriber
{
    /// <summary>Creates it and subscribes it to its scope; the same creation again answers the same webhook.</summary>
    Task<WebhookSnapshot> Create(WebhookCreation creation);

    [AlwaysInterleave]
    Task<WebhookSnapshot?> Get();

    Task<WebhookSnapshot> Update(WebhookChange change);

    /// <summary>Unsubscribes and forgets it, pending deliveries included.</summary>
    Task Delete();

    /// <summary>Newest first: the pending deliveries, then the last ones done (a bounded history).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<WebhookDelivery>> ListDeliveries(int limit);

    /// <summary>Queues one delivery of the history again, at the end of the queue, with the same delivery id.</summary>
    Task<WebhookDelivery> Redeliver(string deliveryId);
}
