using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RseOrleans.Model;

namespace RseOrleans.Grains.Webhooks;

/// <summary>
/// One webhook subscription. Events come from its scope's registry and join its stored queue
/// (an event it still knows, sent again by its source, is dropped)
/// (<see cref="DeliveryQueue"/>); a timer sends the first delivery, and the next only once that one
/// is done (order per subscription, at least once); a reminder keeps a waiting schedule alive
/// across silos (<see cref="DeliveryWakeups"/>). Whether the owner may still read what an event is
/// about is asked at each delivery (<see cref="DeliveryRight"/>).
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
    private DeliveryWakeups? wakeups;

    private string WebhookId => this.GetPrimaryKeyString();

    private WebhookState Webhook => state.State;

    private DeliveryQueue Deliveries => new(state.State, options.Value);

    private DeliveryWakeups Wakeups => wakeups ??= new(this, SendNextAsync, options.Value.ReminderPeriod);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Webhook.Enabled && Deliveries.Pending > 0)
        {
            await Wakeups.KeepAsync();
            Wakeups.Wake(TimeSpan.Zero);
        }
    }

    public async Task<WebhookSnapshot> Create(WebhookCreation creation)
    {
        if (Webhook.Spec is { } existing)
        {
            if (Webhook.OwnerId != creation.OwnerId || Webhook.GroupId != creation.GroupId || existing.Url != creation.Spec.Url)
            {
                throw new DomainException(DomainError.AlreadyExists, $"A webhook '{WebhookId}' already exists.");
            }

            // A retry: the first try may have stored the webhook and failed to subscribe it.
            await SubscribeAsync();
            return Snapshot();
        }

        Webhook.OwnerId = creation.OwnerId;
        Webhook.GroupId = creation.GroupId;
        Webhook.Spec = creation.Spec;
        Webhook.CreatedAt = clock.GetUtcNow();
        Webhook.Secret = WebhookSigning.NewSecret();
        await state.WriteStateAsync(CancellationToken.None);
        await SubscribeAsync();
        return Snapshot();
    }

    public Task<WebhookSnapshot?> Get() => Task.FromResult(Webhook.Exists ? Snapshot() : null);

    public async Task<WebhookSnapshot> Update(WebhookChange change)
    {
        EnsureExists();
        var now = clock.GetUtcNow();
        if (change.Spec is { } spec)
        {
            Webhook.Spec = spec;
        }

        if (change.RotateSecret)
        {
            WebhookSecrets.Rotate(Webhook, now + (change.PreviousSecretValidFor ?? options.Value.PreviousSecretValidFor));
        }

        var resumed = false;
        if (change.Enabled is { } enabled)
        {
            resumed = enabled && !Webhook.Enabled;
            Webhook.DisabledReason = enabled ? WebhookDisabledReason.None : WebhookDisabledReason.ByOwner;
            if (resumed)
            {
                Deliveries.Restart(now);
            }
        }

        await state.WriteStateAsync(CancellationToken.None);
        if (change.Spec is not null)
        {
            await SubscribeAsync();
        }

        if (resumed && Deliveries.Pending > 0)
        {
            await Wakeups.KeepAsync();
            Wakeups.Wake(TimeSpan.Zero);
        }

        return Snapshot();
    }

    public async Task Delete()
    {
        EnsureExists();
        await GrainFactory.GetGrain<IEventSubscriptionsGrain>(Scope).Unsubscribe(WebhookId);
        await Wakeups.EndAsync();
        await state.ClearStateAsync();
        state.State = new WebhookState();
        DeactivateOnIdle();
    }

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveries(int limit) => Task.FromResult(Deliveries.NewestFirst(limit));

    public async Task<WebhookDelivery> Redeliver(string deliveryId)
    {
        EnsureExists();
        var again = Deliveries.Redeliver(deliveryId, clock.GetUtcNow());
        await state.WriteStateAsync(CancellationToken.None);
        if (Webhook.Enabled)
        {
            await Wakeups.KeepAsync();
            Wakeups.Wake(TimeSpan.Zero);
        }

        return again;
    }

    public async Task Receive(IReadOnlyList<EngineEvent> events)
    {
        // Events that come while it is disabled are not kept: its owner turned it off, or it failed for days.
        if (!Webhook.Enabled || Webhook.Spec is not { } spec)
        {
            return;
        }

        var deliveries = Deliveries;
        var wasIdle = deliveries.Pending == 0;
        var taken = events.Where(e => spec.Kinds.Contains(e.Kind) && (Webhook.GroupId is null || e.GroupId == Webhook.GroupId) && !deliveries.Knows(e.EventId)).ToArray();
        if (deliveries.Add(taken, clock.GetUtcNow()) == 0)
        {
            return;
        }

        await state.WriteStateAsync(CancellationToken.None);
        await Wakeups.KeepAsync();
        if (wasIdle)
        {
            Wakeups.Wake(TimeSpan.Zero);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Wakeups.Reminded();
        if (Webhook.Enabled && Deliveries.Pending > 0)
        {
            Wakeups.Wake(TimeSpan.Zero);
            return Task.CompletedTask;
        }

        return Wakeups.StopAsync();
    }

    /// <summary>One attempt at the first delivery of the queue; the timer is set again for what follows.</summary>
    private async Task SendNextAsync(CancellationToken cancellationToken)
    {
        var deliveries = Deliveries;
        var now = clock.GetUtcNow();
        if (!Webhook.Enabled || deliveries.Head is not { } head)
        {
            await Wakeups.StopAsync();
            return;
        }

        var wait = deliveries.DueIn(now);
        if (wait > TimeSpan.Zero)
        {
            Wakeups.Wake(wait);
            return;
        }

        if (await DeliveryRight.RefusalAsync(GrainFactory, configuration, Webhook, head.Event) is { } refusal)
        {
            deliveries.Skip(refusal, now);
            await state.WriteStateAsync(CancellationToken.None);
            Wakeups.Wake(TimeSpan.Zero);
            return;
        }

        var result = await sender.SendAsync(Webhook.Spec!.Url, head.DeliveryId, WebhookPayload.Of(head.Event), WebhookSecrets.Signing(Webhook, now), cancellationToken);
        var disabled = deliveries.Record(result, now);
        if (disabled != WebhookDisabledReason.None)
        {
            Webhook.DisabledReason = disabled;
        }

        await state.WriteStateAsync(CancellationToken.None);
        if (disabled != WebhookDisabledReason.None)
        {
            LogDisabled(WebhookId, disabled, Webhook.ConsecutiveFailures);
            await TellOwnerDisabledAsync(now);
            await Wakeups.StopAsync();
        }
        else if (deliveries.Pending == 0)
        {
            await Wakeups.StopAsync();
        }
        else
        {
            Wakeups.Wake(deliveries.DueIn(now));
        }
    }

    /// <summary>Tells the person answerable for it: its owner, or the owner of the application that owns it.</summary>
    private async Task TellOwnerDisabledAsync(DateTimeOffset now)
    {
        var person = ApplicationAuthor.AccountOf(Webhook.OwnerId!) is { } accountId
            ? (await GrainFactory.GetGrain<IServiceAccountGrain>(accountId).Get())?.OwnerId
            : Webhook.OwnerId;
        if (person is null)
        {
            return;
        }

        var target = Webhook.GroupId is { } groupId ? NotificationTarget.Group(groupId) : NotificationTarget.None;
        _ = GrainFactory.GetGrain<INotificationsGrain>(person)
            .Apply([new NotificationEvent(NotificationKind.WebhookDisabled, target, WebhookId, now)]);
    }

    private string Scope => Webhook.GroupId is { } groupId ? EventScopes.Group(groupId) : EventScopes.Network;

    private Task SubscribeAsync() =>
        GrainFactory.GetGrain<IEventSubscriptionsGrain>(Scope).Subscribe(
            new EventSubscription(WebhookId, this.AsReference<IWebhookGrain>(), Webhook.Spec!.Kinds));

    private void EnsureExists()
    {
        if (!Webhook.Exists)
        {
            throw DomainException.NotFound($"Webhook '{WebhookId}'");
        }
    }

    private WebhookSnapshot Snapshot() => new(
        WebhookId,
        Webhook.OwnerId!,
        Webhook.GroupId,
        Webhook.Spec!,
        Webhook.Enabled,
        Webhook.DisabledReason,
        Webhook.CreatedAt,
        Webhook.Secret,
        WebhookSecrets.PreviousValidUntil(Webhook, clock.GetUtcNow()),
        Deliveries.Pending,
        Webhook.ConsecutiveFailures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} disabled ({Reason}) after {Failures} failed attempts in a row")]
    private partial void LogDisabled(string webhookId, WebhookDisabledReason reason, int failures);
}
