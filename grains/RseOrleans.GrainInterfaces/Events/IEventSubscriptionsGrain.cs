using Orleans.Concurrency;
using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// The subscriptions to the engine events of one scope (<see cref="EventScopes"/>): who takes
/// which kinds. Key: the scope.
/// </summary>
public interface IEventSubscriptionsGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces a subscription.</summary>
    Task Subscribe(EventSubscription subscription);

    Task Unsubscribe(string subscriptionId);

    [ReadOnly]
    Task<IReadOnlyList<string>> ListSubscriptionIds();

    /// <summary>
    /// Hands each event to the subscriptions that take its kind, in the order given; done once
    /// each has queued them, failed if one could not. Interleaved with anything: it reads a copy of
    /// the subscriptions taken at its start, and a subscription changed meanwhile never waits for it.
    /// </summary>
    [AlwaysInterleave]
    Task Publish([Immutable] IReadOnlyList<EngineEvent> events);
}
