using Microsoft.Extensions.Logging;
using RseOrleans.Model;

namespace RseOrleans.Grains.Events;

/// <summary>
/// A grain's outbox of engine events. The events of a change are stored in the grain's own state
/// by the write that stores the change, so both are stored or neither. After the write the grain
/// tells its process's listeners, then hands the events on in the background, in order, to the
/// registries of their scopes, which answer once every subscriber has queued them; only then are
/// they cleared. A failed hand-on is retried with backoff (<see cref="HandOnLoop"/>), under a
/// reminder that wakes the grain after a crash (in durable mode set before the write, as the grain
/// chooses for all its writes or for one, <see cref="ReminderUse"/>), and an activation that finds
/// events still stored sends them again: at least once, in order per source.
/// </summary>
/// <remarks>
/// The hand-on is a task of the grain's own scheduler (started by the write, or by a timer for a
/// retry or on activation), interleaved with its calls: between awaits it only reads the list and
/// replaces it by what is left, and no caller waits for a subscriber. The clear is stored by the
/// grain's next write, or by a write of its own 2 s later if none came (not once an embedded host
/// stops: <see cref="EngineEvents.ClearWorthWriting"/>). A grain using it
/// implements <see cref="IRemindable"/> and passes on <see cref="HandOnLoop.ReminderName"/>.
/// </remarks>
public sealed class EventOutbox<TState>
    where TState : IHoldsOutbox
{
    // How long an acknowledged event may stay stored, waiting for a write of the grain to take it out.
    private static readonly TimeSpan ClearWrittenAfter = TimeSpan.FromSeconds(2);

    private readonly Grain grain;
    private readonly IPersistentState<TState> state;
    private readonly EngineEvents events;
    private readonly ILogger logger;
    private readonly HandOnLoop loop;
    private readonly ReminderUse reminder;

    // The first `stored` pending events are in storage; those after them belong to a write in flight.
    private int stored;

    // Acknowledged events may still be in storage: counted so that a write knows whether it stored the list as acknowledged.
    private long acknowledgements;
    private bool clearUnwritten;
    private IGrainTimer? clear;

    internal EventOutbox(Grain grain, IPersistentState<TState> state, EngineEvents events, ReminderUse reminder, ILogger logger)
    {
        this.grain = grain;
        this.state = state;
        this.events = events;
        this.logger = logger;
        this.reminder = reminder;
        loop = new HandOnLoop(grain, HandOnNextAsync, events.ReminderPeriod, logger);
    }

    private List<EngineEvent> Pending => state.State.PendingEvents ??= [];

    /// <summary>On activation: what was stored and never acknowledged goes again, with the same ids.</summary>
    public void Resume()
    {
        stored = state.State.PendingEvents?.Count ?? 0;
        if (stored > 0)
        {
            loop.StartSoon();
        }
    }

    /// <summary>For the grain's <see cref="IRemindable.ReceiveReminder"/>.</summary>
    public Task ReceiveReminder(string reminderName) => loop.ReceiveReminder(reminderName);

    /// <summary>Completes once the events stored so far are acknowledged, or under the reminder that wakes the grain for them.</summary>
    public Task SettledAsync() => loop.SettledAsync(stored > 0);

    /// <summary>
    /// Writes the grain's state with <paramref name="published"/> in its outbox; once stored, the
    /// process's listeners are told and the events leave in the background.
    /// </summary>
    public Task WriteAsync(params IReadOnlyList<EngineEvent> published) => WriteAsync(reminder, published);

    /// <summary>
    /// As <see cref="WriteAsync(IReadOnlyList{EngineEvent})"/>, with this write's own reminder use
    /// (a write whose events have another trace that outlives the silo needs none before it).
    /// </summary>
    public async Task WriteAsync(ReminderUse use, params IReadOnlyList<EngineEvent> published)
    {
        var outgoing = published.Where(EngineEvents.GoesToSubscribers).ToArray();
        if (outgoing.Length > 0)
        {
            await loop.BeforeStoringAsync(events.ReminderFor(use));
            Pending.AddRange(outgoing);
        }

        var acknowledgedBefore = acknowledgements;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored: the change tells nothing (and the activation is dropped for a storage failure).
            state.State.PendingEvents?.RemoveAll(e => outgoing.Contains(e));
            throw;
        }
        finally
        {
            if (outgoing.Length > 0)
            {
                loop.Stored();
            }
        }

        stored = Pending.Count;
        clearUnwritten &= acknowledgements != acknowledgedBefore;
        if (Pending.Count == 0)
        {
            state.State.PendingEvents = null;
        }

        events.TellListeners(published);
        if (outgoing.Length > 0)
        {
            // Started here, so its calls leave before the caller's answer, as one-way ones did: a
            // change made after this one answered is handed on after it in practice.
            loop.Start();
        }
    }

    /// <summary>Sends the stored events, oldest first; the next batch leaves once this one is acknowledged.</summary>
    private async Task<bool> HandOnNextAsync()
    {
        if (stored == 0)
        {
            return false;
        }

        var batch = Pending.GetRange(0, stored);
        await events.HandOnAsync(batch);

        // A new list, never the stored one trimmed in place: a write of the grain may be reading it.
        state.State.PendingEvents = Pending.Count == batch.Count ? null : Pending.GetRange(batch.Count, Pending.Count - batch.Count);
        stored -= batch.Count;
        acknowledgements++;
        clearUnwritten = true;
        ClearLater();
        return true;
    }

    private void ClearLater() =>
        clear ??= grain.RegisterGrainTimer(WriteClearAsync, new GrainTimerCreationOptions(ClearWrittenAfter, Timeout.InfiniteTimeSpan) { KeepAlive = true });

    /// <summary>In a turn of its own (never interleaved): no write of the grain's is in flight.</summary>
    private async Task WriteClearAsync(CancellationToken cancellation)
    {
        clear?.Dispose();
        clear = null;
        if (!clearUnwritten || !events.ClearWorthWriting)
        {
            return;
        }

        if (Pending.Count == 0)
        {
            state.State.PendingEvents = null;
        }

        try
        {
            await state.WriteStateAsync(CancellationToken.None);
            clearUnwritten = false;
        }
        catch (Exception ex)
        {
            // Harmless until the next write: a resend after a restart is dropped by the subscribers that still know the ids.
            OutboxLog.ClearFailed(logger, ex, grain.GetGrainId());
            ClearLater();
        }
    }
}

internal static partial class OutboxLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} could not hand on its engine events; retried in {Wait}")]
    public static partial void Retry(ILogger logger, Exception ex, GrainId grain, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} could not set the reminder that wakes it for its waiting engine events")]
    public static partial void ReminderFailed(ILogger logger, Exception ex, GrainId grain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} could not store its acknowledged engine events as cleared; tried again later")]
    public static partial void ClearFailed(ILogger logger, Exception ex, GrainId grain);
}
