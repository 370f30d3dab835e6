using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RseOrleans.Grains.Sources;
using RseOrleans.Model;

namespace RseOrleans.Grains.Events;

/// <summary>
/// How the grain that owns a fact tells the rest of the engine it changed: once the change is
/// stored, it tells the listeners of its process (derived copies such as search), then hands the
/// events to the registries of the events' scopes. The caller never waits for a subscriber, and a
/// change made by any silo, or by a cascade (an erasure), is told the same way as one made through
/// the API.
/// </summary>
/// <remarks>
/// Posts, users and groups keep their events in an outbox stored with the change
/// (<see cref="EventOutbox{TState}"/>), reaction shards in the changes they store anyway
/// (<see cref="Reactions.ReactionOutbox"/>): at least once, in order per source. Past the
/// registry, each subscriber keeps its own promises (a webhook queues in its stored state).
/// </remarks>
public sealed class EngineEvents(
    IGrainFactory grains,
    IEnumerable<IEngineEventListener> listeners,
    IOptions<WebhookOptions> webhooks,
    ISourceKeeping keeping,
    IHostApplicationLifetime lifetime,
    ILogger<EngineEvents> logger)
{
    private static readonly DeactivationReason ShuttingDown = new(DeactivationReasonCode.ShuttingDown, "");

    private readonly IEngineEventListener[] listeners = [.. listeners];

    /// <summary>An event about a post (or one of its comments), in its group's scope when it is a group's post.</summary>
    public static EngineEvent AboutPost(EngineEventKind kind, SourceId source, long postId, string actorId, DateTimeOffset at) =>
        EngineEvent.Of(kind, source.Kind == SourceKind.Group ? source.Id : null, actorId, at) with { PostId = postId };

    /// <summary>Whether subscribers may take it; the kinds from 20 are for the process's listeners only.</summary>
    public static bool GoesToSubscribers(EngineEvent engineEvent) => engineEvent.Kind < EngineEventKind.UserUpdated;

    /// <summary>
    /// The outbox of a grain whose state holds one, setting the reminder that wakes the grain after
    /// a crash as <paramref name="reminder"/> says (or a write's own use) when the state outlives
    /// the process (durable mode), else only after a failed hand-on, as before: in memory nothing
    /// outlives a crash (<see cref="ReminderFor"/>, asked write by write).
    /// </summary>
    public EventOutbox<TState> OutboxOf<TState>(Grain grain, IPersistentState<TState> state, ReminderUse reminder)
        where TState : IHoldsOutbox => new(grain, state, this, reminder, logger);

    /// <summary>
    /// On activation: the grain's outbox, resumed, when its state holds events never acknowledged
    /// (they go again); else null, and the grain's first write (or its reminder) creates it. Most
    /// grains in memory are only read, and each would hold an outbox and its hand-on loop.
    /// </summary>
    public EventOutbox<TState>? ResumeOutboxOf<TState>(Grain grain, IPersistentState<TState> state, ReminderUse reminder)
        where TState : IHoldsOutbox
    {
        if (state.State.PendingEvents is not { Count: > 0 })
        {
            return null;
        }

        var outbox = OutboxOf(grain, state, reminder);
        outbox.Resume();
        return outbox;
    }

    /// <summary>The period of the reminder that wakes a grain whose events wait (<see cref="ReminderUse"/>): the webhooks' own.</summary>
    internal TimeSpan ReminderPeriod => webhooks.Value.ReminderPeriod;

    internal ILogger Logger => logger;

    /// <summary>What an outbox's reminder does here: only after a failure when no state outlives the process.</summary>
    internal ReminderUse ReminderFor(ReminderUse wanted) => StateOutlivesTheSilo ? wanted : ReminderUse.AfterFailure;

    /// <summary>Whether stored state outlives the silo (durable mode): only then is a trace laid before events are stored worth its write.</summary>
    internal bool StateOutlivesTheSilo => keeping.OutlastsDeactivation(ShuttingDown);

    /// <summary>
    /// Whether an acknowledgement is worth storing now: not once the host stops when the state ends
    /// with the process (the embedded engine's storage grains may be gone already, and a write
    /// to them only logs Orleans' warnings).
    /// </summary>
    internal bool ClearWorthWriting => !lifetime.ApplicationStopping.IsCancellationRequested || StateOutlivesTheSilo;

    /// <summary>Called inside the owner grain's turn, right after its stored change.</summary>
    public void TellListeners(IReadOnlyList<EngineEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        foreach (var listener in listeners)
        {
            listener.Take(events);
        }
    }

    /// <summary>To each scope's registry, in the order given; done once every subscriber has queued them.</summary>
    public Task HandOnAsync(IReadOnlyList<EngineEvent> events) =>
        Task.WhenAll(events.Where(GoesToSubscribers)
            .SelectMany(e => EventScopes.Of(e).Select(scope => (scope, e)))
            .GroupBy(pair => pair.scope, StringComparer.Ordinal)
            .Select(byScope => grains.GetGrain<IEventSubscriptionsGrain>(byScope.Key).Publish([.. byScope.Select(pair => pair.e)])));
}
