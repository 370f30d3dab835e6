using RseOrleans.Model;

namespace RseOrleans.Grains.Events;

/// <summary>
/// How the grain that owns a fact tells the rest of the engine it changed: once the change is
/// stored, it hands the events to the listeners of its process (derived copies such as search),
/// then to the registries of the events' scopes, one way. The caller never waits for a subscriber,
/// and a change made by any silo, or by a cascade (an erasure), is told the same way as one made
/// through the API.
/// </summary>
/// <remarks>
/// Best effort between the stored change and the registry: a silo that dies in between loses the
/// event (there is no outbox). Past the registry, each subscriber keeps its own promises (a webhook
/// queues in its stored state).
/// </remarks>
public sealed class EngineEvents(IGrainFactory grains, IEnumerable<IEngineEventListener> listeners)
{
    private readonly IEngineEventListener[] listeners = [.. listeners];

    /// <summary>An event about a post (or one of its comments), in its group's scope when it is a group's post.</summary>
    public static EngineEvent AboutPost(EngineEventKind kind, SourceId source, long postId, string actorId, DateTimeOffset at) =>
        EngineEvent.Of(kind, source.Kind == SourceKind.Group ? source.Id : null, actorId, at) with { PostId = postId };

    public void Publish(EngineEvent engineEvent) => Publish([engineEvent]);

    public void Publish(IReadOnlyList<EngineEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        foreach (var listener in listeners)
        {
            listener.Take(events);
        }

        foreach (var byScope in events.Where(e => e.Kind < EngineEventKind.UserUpdated)
            .SelectMany(e => EventScopes.Of(e).Select(scope => (scope, e))).GroupBy(pair => pair.scope, StringComparer.Ordinal))
        {
            // One-way: the call returns once the message is queued.
            _ = grains.GetGrain<IEventSubscriptionsGrain>(byScope.Key).Publish([.. byScope.Select(pair => pair.e)]);
        }
    }
}
