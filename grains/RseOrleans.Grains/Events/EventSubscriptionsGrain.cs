using RseOrleans.Model;

namespace RseOrleans.Grains.Events;

[GenerateSerializer]
[Alias("rse.EventSubscriptionsState")]
public sealed class EventSubscriptionsState
{
    [Id(0)]
    public Dictionary<string, EventSubscription> Subscriptions { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The subscriptions of one scope; it hands each event to those that take its kind and answers once they have queued it.</summary>
[GrainType("event-subscriptions")]
public sealed class EventSubscriptionsGrain(
    [PersistentState("event-subscriptions", StorageNames.Main)] IPersistentState<EventSubscriptionsState> state) : Grain, IEventSubscriptionsGrain
{
    public async Task Subscribe(EventSubscription subscription)
    {
        state.State.Subscriptions[subscription.SubscriptionId] = subscription;
        await state.WriteStateAsync();
    }

    public async Task Unsubscribe(string subscriptionId)
    {
        if (state.State.Subscriptions.Remove(subscriptionId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListSubscriptionIds() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Subscriptions.Keys.Order(StringComparer.Ordinal)]);

    public Task Publish(IReadOnlyList<EngineEvent> events) =>
        // Taken before the first await: a subscription changed meanwhile does not disturb this one.
        Task.WhenAll(state.State.Subscriptions.Values
            .Select(subscription => (subscription, taken: events.Where(e => subscription.Kinds.Contains(e.Kind)).ToArray()))
            .Where(pair => pair.taken.Length > 0)
            .ToArray()
            .Select(pair => pair.subscription.Subscriber.Receive(pair.taken)));
}
