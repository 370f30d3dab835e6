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

    /// <summary>Hands each event to the subscriptions that take its kind; one way, in the order given.</summary>
    [OneWay]
    [ReadOnly]
    Task Publish([Immutable] IReadOnlyList<EngineEvent> events);
}
