using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Webhooks;

/// <summary>
/// The deliveries of one webhook, kept in its state: the queue, of which only the first is ever
/// being sent (order per subscription), the bounded history of those done with their last
/// attempts, and the failures in a row. It decides what an attempt's outcome means (a retry and
/// when, a failed delivery, a disabled endpoint); it neither sends nor stores.
/// </summary>
internal sealed class DeliveryQueue(WebhookState state, WebhookOptions options)
{
    private const int AttemptsKept = 20;

    public int Pending => state.Queue.Count;

    public WebhookDelivery? Head => state.Queue.Count > 0 ? state.Queue[0] : null;

    /// <summary>How long until the first delivery is due: zero when it is (or the queue is empty).</summary>
    public TimeSpan DueIn(DateTimeOffset now) => Head?.NextAttemptAt is { } at && at > now ? at - now : TimeSpan.Zero;

    /// <summary>Queues the events, as many as there is room for, and answers how many it queued.</summary>
    public int Add(IReadOnlyList<EngineEvent> events, DateTimeOffset now)
    {
        var room = Math.Max(options.MaxPendingDeliveries - state.Queue.Count, 0);
        if (events.Count > room)
        {
            // The whole queue is rewritten with each delivery: an endpoint far behind loses the newest events, counted.
            Count("dropped", events.Count - room);
        }

        var taken = events.Take(room).Select(e => new WebhookDelivery(e.EventId, e, DeliveryStatus.Pending, [], now)).ToArray();
        state.Queue.AddRange(taken);
        return taken.Length;
    }

    /// <summary>
    /// Whether the event is queued or among the deliveries done that the history still holds: an
    /// event sent again by its source (at least once) is then not delivered twice.
    /// </summary>
    public bool Knows(string eventId) =>
        state.Queue.Exists(delivery => delivery.DeliveryId == eventId) || state.History.Exists(delivery => delivery.DeliveryId == eventId);

    /// <summary>Newest first: the pending deliveries, then the last ones done.</summary>
    public IReadOnlyList<WebhookDelivery> NewestFirst(int limit) =>
        [.. state.Queue.AsEnumerable().Reverse().Concat(state.History.AsEnumerable().Reverse()).Take(limit)];

    /// <summary>Moves one delivery of the history back to the end of the queue, due now, with the same id.</summary>
    public WebhookDelivery Redeliver(string deliveryId, DateTimeOffset now)
    {
        var index = state.History.FindIndex(delivery => delivery.DeliveryId == deliveryId);
        if (index < 0)
        {
            throw state.Queue.Exists(delivery => delivery.DeliveryId == deliveryId)
                ? DomainException.Precondition($"Delivery '{deliveryId}' is still pending.")
                : DomainException.NotFound($"Delivery '{deliveryId}'");
        }

        var again = state.History[index] with { Status = DeliveryStatus.Pending, NextAttemptAt = now, FailedTries = 0 };
        state.History.RemoveAt(index);
        state.Queue.Add(again);
        return again;
    }

    /// <summary>A new start once enabled again: the failures that disabled it are forgiven, the first delivery is due now.</summary>
    public void Restart(DateTimeOffset now)
    {
        state.ConsecutiveFailures = 0;
        if (Head is { } head)
        {
            state.Queue[0] = head with { NextAttemptAt = now, FailedTries = 0 };
        }
    }

    /// <summary>Ends the first delivery unsent: its owner may not receive it (the reason is logged as its attempt).</summary>
    public void Skip(string refusal, DateTimeOffset now)
    {
        var head = Head!;
        Count("skipped");
        Finish(head with { Status = DeliveryStatus.Skipped, Attempts = Kept(head.Attempts, new DeliveryAttempt(now, 0, TimeSpan.Zero, refusal)) });
    }

    /// <summary>
    /// Logs an attempt at the first delivery: done when it succeeded, else kept at the head for
    /// its next retry (the next delivery waits for it), or failed once the schedule is spent.
    /// Answers why the endpoint must now be disabled, or <see cref="WebhookDisabledReason.None"/>.
    /// </summary>
    public WebhookDisabledReason Record(AttemptResult result, DateTimeOffset now)
    {
        var head = Head!;
        var attempts = Kept(head.Attempts, new DeliveryAttempt(now, result.StatusCode, result.Duration, result.Error));
        if (result.Succeeded)
        {
            Count("succeeded");
            state.ConsecutiveFailures = 0;
            Finish(head with { Status = DeliveryStatus.Succeeded, Attempts = attempts, NextAttemptAt = null });
            return WebhookDisabledReason.None;
        }

        Count(result.StatusCode == 0 ? "no_answer" : "refused");
        state.ConsecutiveFailures++;
        var failed = head with { Attempts = attempts, FailedTries = head.FailedTries + 1 };
        var schedule = options.Schedule;
        var disabled = result.StatusCode == 410
            // The receiver says the endpoint is gone for good: no retry would change that.
            ? WebhookDisabledReason.Gone
            : state.ConsecutiveFailures >= options.DisableAfterFailures ? WebhookDisabledReason.Failures : WebhookDisabledReason.None;
        if (disabled == WebhookDisabledReason.None && failed.FailedTries > schedule.Count)
        {
            Finish(failed with { Status = DeliveryStatus.Failed, NextAttemptAt = null });
        }
        else
        {
            // Kept at the head: the next delivery waits for it (re-enabling retries it first).
            var wait = schedule[Math.Min(failed.FailedTries, schedule.Count) - 1];
            state.Queue[0] = failed with { NextAttemptAt = disabled == WebhookDisabledReason.None ? now + wait : null };
        }

        if (disabled != WebhookDisabledReason.None)
        {
            Count("disabled");
        }

        return disabled;
    }

    private void Finish(WebhookDelivery done)
    {
        state.Queue.RemoveAt(0);
        state.History.Add(done);
        if (state.History.Count > options.HistoryLimit)
        {
            state.History.RemoveRange(0, state.History.Count - options.HistoryLimit);
        }
    }

    private static List<DeliveryAttempt> Kept(IReadOnlyList<DeliveryAttempt> attempts, DeliveryAttempt latest) =>
        [.. attempts.Skip(Math.Max(0, attempts.Count + 1 - AttemptsKept)), latest];

    private static void Count(string outcome, int deliveries = 1) =>
        EngineMetrics.WebhookAttempts.Add(deliveries, new KeyValuePair<string, object?>("outcome", outcome));
}
