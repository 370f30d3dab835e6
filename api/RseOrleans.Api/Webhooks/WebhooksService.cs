using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Validation;
using RseOrleans.Grains;
using RseOrleans.Model;
using DeliveryStatus = RseOrleans.Model.DeliveryStatus;
using V1 = RseOrleans.Api.V1;
using WebhookDisabledReason = RseOrleans.Model.WebhookDisabledReason;

namespace RseOrleans.Api.Webhooks;

/// <summary>
/// Webhook subscriptions: what a valid one is (an allowed URL, known event types); who may manage
/// which is <see cref="WebhookManagers"/>' (people, and applications with <c>webhooks.receive</c>).
/// Delivery is the webhook grain's; what an owner may receive is checked there, at each delivery.
/// </summary>
public sealed class WebhooksService(IGrainFactory grains, WebhookManagers managers, IOptions<WebhookOptions> options) : V1.Webhooks.WebhooksBase
{
    /// <summary>Tags ListWebhooks' page tokens, so that another list's token is refused.</summary>
    private const string WebhookPages = "webhooks";

    public const int MaxDescriptionLength = 500;
    public const int MaxUrlLength = 2000;
    public static readonly TimeSpan MaxPreviousSecretValidity = TimeSpan.FromDays(30);

    public override async Task<V1.Webhook> CreateWebhook(V1.CreateWebhookRequest request, ServerCallContext context)
    {
        var caller = await managers.RequireCallerAsync(context);
        var requestId = Require.RequestId(request.RequestId);
        string? groupId = request.GroupId.Length == 0 ? null : Require.Id(request.GroupId, "group_id");
        var url = RequireUrl(request.Url);
        var kinds = RequireEventTypes(request.EventTypes, groupId, required: true);
        var description = Require.OptionalText(request.Description, "description", MaxDescriptionLength);
        await managers.RequireMayManageAsync(caller, groupId);

        // The same caller and request id name the same webhook: a retry whose first try was lost finds it.
        var webhookId = "wh_" + XxHash3.HashToUInt64(Encoding.UTF8.GetBytes($"{caller.OwnerId}\n{requestId}")).ToString("x16", CultureInfo.InvariantCulture);
        var created = await Webhook(webhookId).Create(new WebhookCreation(caller.OwnerId, groupId, new WebhookSpec(url, kinds, description)));
        return ToProto(created, withSecret: true);
    }

    public override async Task<V1.ListWebhooksResponse> ListWebhooks(V1.ListWebhooksRequest request, ServerCallContext context)
    {
        var caller = await managers.RequireCallerAsync(context);
        string? groupId = request.GroupId.Length == 0 ? null : Require.Id(request.GroupId, "group_id");
        var pageSize = Require.PageSize(request.PageSize);
        var after = PageToken.Decode(request.PageToken, WebhookPages);
        await managers.RequireMayManageAsync(caller, groupId);
        var scope = groupId is null ? EventScopes.Network : EventScopes.Group(groupId);

        // Pages in the order of the ids, resuming after the last one shown: a webhook created or
        // deleted meanwhile neither repeats nor hides another.
        var ids = (await grains.GetGrain<IEventSubscriptionsGrain>(scope).ListSubscriptionIds())
            .Where(id => after is null || string.CompareOrdinal(id, after) > 0)
            .Order(StringComparer.Ordinal);
        var shown = new List<WebhookSnapshot>();
        // A batch at a time, until a page and one more are found: an application sees its own among the group's.
        foreach (var batch in ids.Chunk(pageSize + 1))
        {
            var webhooks = await Task.WhenAll(batch.Select(id => Webhook(id).Get()));
            shown.AddRange(webhooks.OfType<WebhookSnapshot>().Where(caller.Sees));
            if (shown.Count > pageSize)
            {
                break;
            }
        }

        var page = shown.Take(pageSize).ToArray();
        var response = new V1.ListWebhooksResponse { NextPageToken = PageToken.Next(WebhookPages, shown.Count > pageSize ? page[^1].WebhookId : null) };
        response.Webhooks.AddRange(page.Select(webhook => ToProto(webhook, withSecret: false)));
        return response;
    }

    public override async Task<V1.Webhook> UpdateWebhook(V1.UpdateWebhookRequest request, ServerCallContext context)
    {
        var caller = await managers.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var webhookId = Require.Id(request.WebhookId, "webhook_id");
        var url = request.HasUrl ? RequireUrl(request.Url) : null;
        var description = request.HasDescription ? Require.OptionalText(request.Description, "description", MaxDescriptionLength) : null;
        TimeSpan? validity = null;
        if (request.PreviousSecretValidity is { } duration)
        {
            validity = duration.ToTimeSpan();
            if (validity < TimeSpan.Zero || validity > MaxPreviousSecretValidity)
            {
                throw Fail.Invalid("previous_secret_validity", $"must be between 0 and {MaxPreviousSecretValidity.TotalDays:0} days.");
            }
        }

        var current = await managers.RequireManagedAsync(caller, webhookId);
        var kinds = request.EventTypes.Count > 0 ? RequireEventTypes(request.EventTypes, current.GroupId, required: true) : null;
        WebhookSpec? spec = url is null && kinds is null && description is null
            ? null
            : new WebhookSpec(url ?? current.Spec.Url, kinds ?? current.Spec.Kinds, description ?? current.Spec.Description);
        bool? enabled = request.HasEnabled ? request.Enabled : null;
        var updated = await Webhook(webhookId).Update(new WebhookChange(spec, enabled, request.RotateSecret, validity));
        return ToProto(updated, withSecret: request.RotateSecret);
    }

    public override async Task<V1.DeleteWebhookResponse> DeleteWebhook(V1.DeleteWebhookRequest request, ServerCallContext context)
    {
        var caller = await managers.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var webhookId = Require.Id(request.WebhookId, "webhook_id");
        await managers.RequireManagedAsync(caller, webhookId);
        await Webhook(webhookId).Delete();
        return new V1.DeleteWebhookResponse();
    }

    public override async Task<V1.ListDeliveriesResponse> ListDeliveries(V1.ListDeliveriesRequest request, ServerCallContext context)
    {
        var caller = await managers.RequireCallerAsync(context);
        var webhookId = Require.Id(request.WebhookId, "webhook_id");
        var pageSize = Require.PageSize(request.PageSize);
        await managers.RequireManagedAsync(caller, webhookId);
        var deliveries = await Webhook(webhookId).ListDeliveries(pageSize);
        var response = new V1.ListDeliveriesResponse();
        response.Deliveries.AddRange(deliveries.Select(ToProto));
        return response;
    }

    public override async Task<V1.WebhookDelivery> RedeliverWebhook(V1.RedeliverWebhookRequest request, ServerCallContext context)
    {
        var caller = await managers.RequireCallerAsync(context);
        Require.RequestId(request.RequestId);
        var webhookId = Require.Id(request.WebhookId, "webhook_id");
        var deliveryId = Require.Text(request.DeliveryId, "delivery_id", 100);
        await managers.RequireManagedAsync(caller, webhookId);
        return ToProto(await Webhook(webhookId).Redeliver(deliveryId));
    }

    private IWebhookGrain Webhook(string webhookId) => grains.GetGrain<IWebhookGrain>(webhookId);

    private string RequireUrl(string url)
    {
        if (url.Length == 0)
        {
            throw Fail.Invalid("url", "is required.");
        }

        if (url.Length > MaxUrlLength)
        {
            throw Fail.Invalid("url", $"must be at most {MaxUrlLength} characters.");
        }

        return WebhookTargets.Refusal(url, options.Value) is { } refusal ? throw Fail.Invalid("url", refusal) : url;
    }

    private static EngineEventKind[] RequireEventTypes(IEnumerable<string> names, string? groupId, bool required)
    {
        var kinds = new List<EngineEventKind>();
        foreach (var name in names)
        {
            var kind = WebhookEventTypes.KindOf(name) ?? throw Fail.Invalid("event_types", $"'{name}' is not an event type; known: {string.Join(", ", WebhookEventTypes.All)}.");
            if (groupId is not null && !WebhookEventTypes.GroupKinds.Contains(kind))
            {
                throw Fail.Invalid("event_types", $"'{name}' is a network event: a group's webhook takes {string.Join(", ", WebhookEventTypes.GroupKinds.Select(WebhookEventTypes.NameOf))}.");
            }

            if (!kinds.Contains(kind))
            {
                kinds.Add(kind);
            }
        }

        return kinds.Count == 0 && required ? throw Fail.Invalid("event_types", "name at least one event type.") : [.. kinds];
    }

    private static V1.Webhook ToProto(WebhookSnapshot webhook, bool withSecret)
    {
        var proto = new V1.Webhook
        {
            WebhookId = webhook.WebhookId,
            Url = webhook.Spec.Url,
            Description = webhook.Spec.Description,
            GroupId = webhook.GroupId ?? "",
            OwnerId = webhook.OwnerId,
            Enabled = webhook.Enabled,
            DisabledReason = webhook.DisabledReason switch
            {
                WebhookDisabledReason.ByOwner => V1.WebhookDisabledReason.ByOwner,
                WebhookDisabledReason.Failures => V1.WebhookDisabledReason.Failures,
                WebhookDisabledReason.Gone => V1.WebhookDisabledReason.Gone,
                _ => V1.WebhookDisabledReason.Unspecified,
            },
            CreateTime = Timestamp.FromDateTimeOffset(webhook.CreatedAt),
            Secret = withSecret ? webhook.Secret : "",
            PreviousSecretExpireTime = webhook.PreviousSecretUntil is { } until ? Timestamp.FromDateTimeOffset(until) : null,
            PendingDeliveries = webhook.PendingDeliveries,
            ConsecutiveFailures = webhook.ConsecutiveFailures,
        };
        proto.EventTypes.AddRange(webhook.Spec.Kinds.Select(WebhookEventTypes.NameOf));
        return proto;
    }

    private static V1.WebhookDelivery ToProto(WebhookDelivery delivery)
    {
        var proto = new V1.WebhookDelivery
        {
            DeliveryId = delivery.DeliveryId,
            EventType = WebhookEventTypes.NameOf(delivery.Event.Kind),
            EventTime = Timestamp.FromDateTimeOffset(delivery.Event.At),
            Status = delivery.Status switch
            {
                DeliveryStatus.Pending => V1.DeliveryStatus.Pending,
                DeliveryStatus.Succeeded => V1.DeliveryStatus.Succeeded,
                DeliveryStatus.Failed => V1.DeliveryStatus.Failed,
                DeliveryStatus.Skipped => V1.DeliveryStatus.Skipped,
                _ => V1.DeliveryStatus.Unspecified,
            },
            NextAttemptTime = delivery.NextAttemptAt is { } next && delivery.Status == DeliveryStatus.Pending ? Timestamp.FromDateTimeOffset(next) : null,
            Payload = WebhookPayload.Of(delivery.Event),
        };
        proto.Attempts.AddRange(delivery.Attempts.Select(attempt => new V1.DeliveryAttempt
        {
            AttemptTime = Timestamp.FromDateTimeOffset(attempt.At),
            StatusCode = attempt.StatusCode,
            Duration = Duration.FromTimeSpan(attempt.Duration),
            Error = attempt.Error,
        }));
        return proto;
    }
}
