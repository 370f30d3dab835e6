using RseOrleans.Model;

namespace RseOrleans.Grains.Events;

[GenerateSerializer]
[Alias("rse.EventSubscriptionsState")]
public sealed class EventSubscriptionsState
{
    [Id(0)]
    public Dictionary<string, EventSubscription> Subscriptions { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The subscriptions of one scope; it forwards each event, one way, to those that take its kind.</summary>
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

    public Task Publish(IReadOnlyList<EngineEvent> events)
    {
        foreach (var subscription in state.State.Subscriptions.Values)
        {
            var taken = events.Where(e => subscription.Kinds.Contains(e.Kind)).ToArray();
            if (taken.Length > 0)
            {
                _ = subscription.Subscriber.Receive(taken);
            }
        }

        return Task.CompletedTask;
    }
}
