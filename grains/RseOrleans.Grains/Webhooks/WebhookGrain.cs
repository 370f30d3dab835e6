using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Webhooks;

[GenerateSerializer]
[Alias("rse.WebhookState")]
public sealed class WebhookState
{
    [Id(0)]
    public string? OwnerId { get; set; }

    /// <summary>The group whose events it takes; null: the network's.</summary>
    [Id(1)]
    public string? GroupId { get; set; }

    [Id(2)]
    public WebhookSpec? Spec { get; set; }

    [Id(3)]
    public WebhookDisabledReason DisabledReason { get; set; }

    [Id(4)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(5)]
    public string Secret { get; set; } = "";

    /// <summary>The secret before the last rotation, still signing until <see cref="PreviousSecretUntil"/>.</summary>
    [Id(6)]
    public string? PreviousSecret { get; set; }

    [Id(7)]
    public DateTimeOffset? PreviousSecretUntil { get; set; }

    /// <summary>Deliveries not done yet, in the order their events came: only the first is ever being sent.</summary>
    [Id(8)]
    public List<WebhookDelivery> Queue { get; set; } = [];

    /// <summary>The last deliveries done, oldest first, at most the setting's HistoryLimit.</summary>
    [Id(9)]
    public List<WebhookDelivery> History { get; set; } = [];

    /// <summary>Failed attempts in a row, across deliveries; a success starts again from zero.</summary>
    [Id(10)]
    public int ConsecutiveFailures { get; set; }
}

/// <summary>
/// One webhook subscription. Events come in one way and join its stored queue; a grain timer sends
/// the first delivery, and the next only once that one is done (order per subscription, at least
/// once). A failed attempt waits its turn in the retry schedule; while deliveries wait, a reminder
/// wakes the grain, so that a silo lost in the middle of a schedule delays deliveries, never drops
/// them. Whether the owner may still read what an event is about is asked at each delivery.
/// </summary>
[GrainType("webhook")]
public sealed partial class WebhookGrain(
    [PersistentState("webhook", StorageNames.Main)] IPersistentState<WebhookState> state,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain, IRemindable
{
    private const string ReminderName = "deliveries";
    private const int AttemptsKept = 20;

    private IGrainTimer? timer;
    private bool reminderOn;

    private string WebhookId => this.GetPrimaryKeyString();

    private bool Exists => state.State.Spec is not null;

    private bool Enabled => Exists && state.State.DisabledReason == WebhookDisabledReason.None;

    private WebhookOptions Options => options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Enabled && state.State.Queue.Count > 0)
        {
            await EnsureReminderAsync();
            Wake(TimeSpan.Zero);
        }
    }

    public async Task<WebhookSnapshot> Create(WebhookCreation creation)
    {
        if (state.State.Spec is { } existing)
        {
            if (state.State.OwnerId != creation.OwnerId || state.State.GroupId != creation.GroupId || existing.Url != creation.Spec.Url)
            {
                throw new DomainException(DomainError.AlreadyExists, $"A webhook '{WebhookId}' already exists.");
            }

            // A retry: the first try may have stored the webhook and failed to subscribe it.
            await SubscribeAsync();
            return Snapshot();
        }

        state.State.OwnerId = creation.OwnerId;
        state.State.GroupId = creation.GroupId;
        state.State.Spec = creation.Spec;
        state.State.CreatedAt = clock.GetUtcNow();
        state.State.Secret = WebhookSigning.NewSecret();
        await state.WriteStateAsync(CancellationToken.None);
        await SubscribeAsync();
        return Snapshot();
    }

    public Task<WebhookSnapshot?> Get() => Task.FromResult(Exists ? Snapshot() : null);

    public async Task<WebhookSnapshot> Update(WebhookChange change)
    {
        EnsureExists();
        var now = clock.GetUtcNow();
        if (change.Spec is { } spec)
        {
            state.State.Spec = spec;
        }

        if (change.RotateSecret)
        {
            state.State.PreviousSecret = state.State.Secret;
            state.State.PreviousSecretUntil = now + (change.PreviousSecretValidFor ?? Options.PreviousSecretValidFor);
            state.State.Secret = WebhookSigning.NewSecret();
        }

        var resumed = false;
        if (change.Enabled is { } enabled)
        {
            resumed = enabled && !Enabled;
            state.State.DisabledReason = enabled ? WebhookDisabledReason.None : WebhookDisabledReason.ByOwner;
            if (resumed)
            {
                // A new start: the failures that disabled it are forgiven, the first delivery is due now.
                state.State.ConsecutiveFailures = 0;
                if (state.State.Queue.Count > 0)
                {
                    state.State.Queue[0] = state.State.Queue[0] with { NextAttemptAt = now, FailedTries = 0 };
                }
            }
        }

        await state.WriteStateAsync(CancellationToken.None);
        if (change.Spec is not null)
        {
            await SubscribeAsync();
        }

        if (resumed && state.State.Queue.Count > 0)
        {
            await EnsureReminderAsync();
            Wake(TimeSpan.Zero);
        }

        return Snapshot();
    }

    public async Task Delete()
    {
        EnsureExists();
        await GrainFactory.GetGrain<IEventSubscriptionsGrain>(Scope).Unsubscribe(WebhookId);
        await StopReminderAsync();
        timer?.Dispose();
        timer = null;
        await state.ClearStateAsync();
        state.State = new WebhookState();
        DeactivateOnIdle();
    }

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveries(int limit)
    {
        IReadOnlyList<WebhookDelivery> newestFirst = [.. state.State.Queue.AsEnumerable().Reverse().Concat(state.State.History.AsEnumerable().Reverse()).Take(limit)];
        return Task.FromResult(newestFirst);
    }

    public async Task<WebhookDelivery> Redeliver(string deliveryId)
    {
        EnsureExists();
        var index = state.State.History.FindIndex(delivery => delivery.DeliveryId == deliveryId);
        if (index < 0)
        {
            throw state.State.Queue.Exists(delivery => delivery.DeliveryId == deliveryId)
                ? DomainException.Precondition($"Delivery '{deliveryId}' is still pending.")
                : DomainException.NotFound($"Delivery '{deliveryId}'");
        }

        var again = state.State.History[index] with { Status = DeliveryStatus.Pending, NextAttemptAt = clock.GetUtcNow(), FailedTries = 0 };
        state.State.History.RemoveAt(index);
        state.State.Queue.Add(again);
        await state.WriteStateAsync(CancellationToken.None);
        if (Enabled)
        {
            await EnsureReminderAsync();
            Wake(TimeSpan.Zero);
        }

        return again;
    }

    public async Task Receive(IReadOnlyList<EngineEvent> events)
    {
        // Events that come while it is disabled are not kept: its owner turned it off, or it failed for days.
        if (!Enabled || state.State.Spec is not { } spec)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var taken = events.Where(e => spec.Kinds.Contains(e.Kind) && (state.State.GroupId is null || e.GroupId == state.State.GroupId)).ToArray();
        var room = Options.MaxPendingDeliveries - state.State.Queue.Count;
        if (taken.Length > room)
        {
            // The whole queue is rewritten with each delivery: an endpoint far behind loses the newest events, counted.
            EngineMetrics.WebhookAttempts.Add(taken.Length - Math.Max(room, 0), new KeyValuePair<string, object?>("outcome", "dropped"));
            taken = taken[..Math.Max(room, 0)];
        }

        if (taken.Length == 0)
        {
            return;
        }

        state.State.Queue.AddRange(taken.Select(e => new WebhookDelivery(e.EventId, e, DeliveryStatus.Pending, [], now)));
        await state.WriteStateAsync(CancellationToken.None);
        await EnsureReminderAsync();
        if (state.State.Queue.Count == taken.Length)
        {
            Wake(TimeSpan.Zero);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        reminderOn = true;
        if (Enabled && state.State.Queue.Count > 0)
        {
            Wake(TimeSpan.Zero);
            return Task.CompletedTask;
        }

        return StopReminderAsync();
    }

    /// <summary>
    /// Sends the next delivery after <paramref name="due"/>. A new one-shot timer each time, never a
    /// change of the running one: most calls come from inside the timer's own callback.
    /// </summary>
    private void Wake(TimeSpan due)
    {
        due = due < TimeSpan.Zero ? TimeSpan.Zero : due;
        timer?.Dispose();
        timer = this.RegisterGrainTimer(SendNextAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = false });
    }

    /// <summary>One attempt at the first delivery of the queue; the timer is set again for what follows.</summary>
    private async Task SendNextAsync(CancellationToken cancellationToken)
    {
        if (!Enabled || state.State.Queue.Count == 0)
        {
            await StopReminderAsync();
            return;
        }

        var head = state.State.Queue[0];
        var now = clock.GetUtcNow();
        if (head.NextAttemptAt is { } due && due > now)
        {
            Wake(due - now);
            return;
        }

        if (await RefusalAsync(head.Event) is { } refusal)
        {
            EngineMetrics.WebhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", "skipped"));
            Finish(head with { Status = DeliveryStatus.Skipped, Attempts = Kept(head.Attempts, new DeliveryAttempt(now, 0, TimeSpan.Zero, refusal)) });
            await state.WriteStateAsync(CancellationToken.None);
            Wake(TimeSpan.Zero);
            return;
        }

        var result = await sender.SendAsync(state.State.Spec!.Url, head.DeliveryId, WebhookPayload.Of(head.Event), Secrets(now), cancellationToken);
        var attempts = Kept(head.Attempts, new DeliveryAttempt(now, result.StatusCode, result.Duration, result.Error));
        var disabled = WebhookDisabledReason.None;
        if (result.Succeeded)
        {
            EngineMetrics.WebhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", "succeeded"));
            state.State.ConsecutiveFailures = 0;
            Finish(head with { Status = DeliveryStatus.Succeeded, Attempts = attempts, NextAttemptAt = null });
        }
        else
        {
            EngineMetrics.WebhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", result.StatusCode == 0 ? "no_answer" : "refused"));
            state.State.ConsecutiveFailures++;
            var failed = head with { Attempts = attempts, FailedTries = head.FailedTries + 1 };
            var schedule = Options.Schedule;
            if (result.StatusCode == 410)
            {
                // The receiver says the endpoint is gone for good: no retry would change that.
                disabled = WebhookDisabledReason.Gone;
            }
            else if (state.State.ConsecutiveFailures >= Options.DisableAfterFailures)
            {
                disabled = WebhookDisabledReason.Failures;
            }

            if (disabled == WebhookDisabledReason.None && failed.FailedTries > schedule.Count)
            {
                Finish(failed with { Status = DeliveryStatus.Failed, NextAttemptAt = null });
            }
            else
            {
                // Kept at the head: the next delivery waits for it (re-enabling retries it first).
                var wait = schedule[Math.Min(failed.FailedTries, schedule.Count) - 1];
                state.State.Queue[0] = failed with { NextAttemptAt = disabled == WebhookDisabledReason.None ? now + wait : null };
            }

            if (disabled != WebhookDisabledReason.None)
            {
                state.State.DisabledReason = disabled;
                EngineMetrics.WebhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", "disabled"));
            }
        }

        await state.WriteStateAsync(CancellationToken.None);
        if (disabled != WebhookDisabledReason.None)
        {
            LogDisabled(WebhookId, disabled, state.State.ConsecutiveFailures);
            TellOwnerDisabled(now);
            await StopReminderAsync();
            return;
        }

        if (state.State.Queue.Count == 0)
        {
            await StopReminderAsync();
            return;
        }

        var next = state.State.Queue[0].NextAttemptAt is { } at && at > now ? at - now : TimeSpan.Zero;
        Wake(next);
    }

    /// <summary>
    /// Why the owner may not receive this event now, or null when they may: an account still active,
    /// for a group's webhook still an admin or owner of that group, for the network's still a
    /// network admin who may read the group's content (a closed or secret group's events reach
    /// network admins who are members only).
    /// </summary>
    private async Task<string?> RefusalAsync(EngineEvent engineEvent)
    {
        var ownerId = state.State.OwnerId!;
        var account = await GrainFactory.GetGrain<IUserGrain>(ownerId).GetAccount();
        if (!account.IsActive)
        {
            return "skipped: the webhook's owner is no longer active.";
        }

        if (state.State.GroupId is { } groupId)
        {
            var access = await GrainFactory.GetGrain<IGroupGrain>(groupId).GetAccess(ownerId);
            return access.IsAdmin && engineEvent.GroupId == groupId ? null : "skipped: the webhook's owner no longer administers the group.";
        }

        var configuredAdmins = configuration.GetSection("Network:Admins").Get<string[]>() ?? [];
        if (account.Role != NetworkRole.Admin && !configuredAdmins.Contains(ownerId, StringComparer.Ordinal))
        {
            return "skipped: the webhook's owner is no longer a network admin.";
        }

        if (engineEvent.GroupId is { } eventGroup
            && !(await GrainFactory.GetGrain<IGroupGrain>(eventGroup).GetAccess(ownerId)).CanReadContent)
        {
            return "skipped: the webhook's owner may not read this group's content.";
        }

        return null;
    }

    private void TellOwnerDisabled(DateTimeOffset now)
    {
        var target = state.State.GroupId is { } groupId ? NotificationTarget.Group(groupId) : NotificationTarget.None;
        _ = GrainFactory.GetGrain<INotificationsGrain>(state.State.OwnerId!)
            .Apply([new NotificationEvent(NotificationKind.WebhookDisabled, target, WebhookId, now)]);
    }

    private string[] Secrets(DateTimeOffset now) =>
        state.State.PreviousSecret is { } previous && state.State.PreviousSecretUntil > now
            ? [state.State.Secret, previous]
            : [state.State.Secret];

    private static List<DeliveryAttempt> Kept(IReadOnlyList<DeliveryAttempt> attempts, DeliveryAttempt latest) =>
        [.. attempts.Skip(Math.Max(0, attempts.Count + 1 - AttemptsKept)), latest];

    private void Finish(WebhookDelivery done)
    {
        state.State.Queue.RemoveAt(0);
        state.State.History.Add(done);
        if (state.State.History.Count > Options.HistoryLimit)
        {
            state.State.History.RemoveRange(0, state.State.History.Count - Options.HistoryLimit);
        }
    }

    private string Scope => state.State.GroupId is { } groupId ? EventScopes.Group(groupId) : EventScopes.Network;

    private Task SubscribeAsync() =>
        GrainFactory.GetGrain<IEventSubscriptionsGrain>(Scope).Subscribe(
            new EventSubscription(WebhookId, this.AsReference<IWebhookGrain>(), state.State.Spec!.Kinds));

    private async Task EnsureReminderAsync()
    {
        if (!reminderOn)
        {
            await this.RegisterOrUpdateReminder(ReminderName, Options.ReminderPeriod, Options.ReminderPeriod);
            reminderOn = true;
        }
    }

    private async Task StopReminderAsync()
    {
        // Off already, or never set by this activation: a reminder left from an earlier one stops itself when it fires.
        if (!reminderOn)
        {
            return;
        }

        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        reminderOn = false;
    }

    private void EnsureExists()
    {
        if (!Exists)
        {
            throw DomainException.NotFound($"Webhook '{WebhookId}'");
        }
    }

    private WebhookSnapshot Snapshot() => new(
        WebhookId,
        state.State.OwnerId!,
        state.State.GroupId,
        state.State.Spec!,
        Enabled,
        state.State.DisabledReason,
        state.State.CreatedAt,
        state.State.Secret,
        state.State.PreviousSecretUntil > clock.GetUtcNow() ? state.State.PreviousSecretUntil : null,
        state.State.Queue.Count,
        state.State.ConsecutiveFailures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} disabled ({Reason}) after {Failures} failed attempts in a row")]
    private partial void LogDisabled(string webhookId, WebhookDisabledReason reason, int failures);
}
