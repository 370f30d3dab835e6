using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse webhook</c>: signed HTTP callbacks for the network's or a group's events.</summary>
internal static class WebhookCommands
{
    private static MethodDescriptorLookup Rpc => new(Api.V1.Webhooks.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("webhook", "Webhooks: subscribe an HTTPS endpoint to the network's or a group's events, see its deliveries, send one again.");

        var url = new Argument<string>("url") { Description = "The endpoint (HTTPS, to a public address)." };
        var events = new Option<string[]>("--event") { Description = "An event type (repeatable): post.created, post.updated, post.deleted, comment.created, reaction.added, member.joined, member.left, member.removed, post.shared, user.created, user.deactivated, user.erased.", Required = true };
        var group = new Option<string>("--group") { Description = "The group whose events to take; without it, the network's (network admins).", DefaultValueFactory = _ => "" };
        var description = new Option<string>("--description") { Description = "What it is for.", DefaultValueFactory = _ => "" };
        command.Subcommands.Add(verbs.Write("create", "Subscribe an endpoint; prints the signing secret, shown this once.", Rpc["CreateWebhook"], [url, events, group, description], async call =>
        {
            var request = new CreateWebhookRequest { RequestId = call.RequestId, Url = call.Get(url), GroupId = call.Get(group), Description = call.Get(description) };
            request.EventTypes.AddRange(call.Get(events));
            var webhook = await Client(call).CreateWebhookAsync(request, call.Headers, cancellationToken: call.Cancellation);
            call.Print(webhook, output =>
            {
                Print(output, webhook);
                output.WriteLine($"secret: {webhook.Secret}  (shown once: keep it to verify signatures)");
            });
        }));

        var listGroup = new Option<string>("--group") { Description = "A group's webhooks; without it, the network's.", DefaultValueFactory = _ => "" };
        var listPaging = new Paging();
        command.Subcommands.Add(verbs.Read("list", "List the network's or a group's webhooks.", Rpc["ListWebhooks"], [listGroup, .. listPaging.Symbols], async call =>
        {
            var list = await Client(call).ListWebhooksAsync(
                new ListWebhooksRequest { GroupId = call.Get(listGroup), PageSize = call.Get(listPaging.Size), PageToken = call.Get(listPaging.Token) },
                call.Headers, cancellationToken: call.Cancellation);
            call.Print(list, output =>
            {
                foreach (var webhook in list.Webhooks)
                {
                    Print(output, webhook);
                }

                Text.Paged(output, list.Webhooks.Count, list.NextPageToken, "no webhooks");
            });
        }));

        var id = new Argument<string>("webhook-id") { Description = "The webhook." };
        var newUrl = new Option<string?>("--url") { Description = "A new endpoint." };
        var newEvents = new Option<string[]>("--event") { Description = "Replace the event types (repeatable).", DefaultValueFactory = _ => [] };
        var newDescription = new Option<string?>("--description") { Description = "A new description." };
        var enable = new Option<bool?>("--enabled") { Description = "true to enable (a disabled one retries its oldest pending delivery), false to disable." };
        var rotate = new Option<bool>("--rotate-secret") { Description = "Issue a new secret; the previous one keeps signing for --previous-valid-hours." };
        var validHours = new Option<int>("--previous-valid-hours") { Description = "How long the previous secret stays valid after a rotation.", DefaultValueFactory = _ => 24 };
        command.Subcommands.Add(verbs.Write("update", "Change a webhook's endpoint, events, description or state, or rotate its secret.", Rpc["UpdateWebhook"], [id, newUrl, newEvents, newDescription, enable, rotate, validHours], async call =>
        {
            var request = new UpdateWebhookRequest { RequestId = call.RequestId, WebhookId = call.Get(id), RotateSecret = call.Get(rotate) };
            if (call.Get(newUrl) is { } changedUrl)
            {
                request.Url = changedUrl;
            }

            if (call.Get(newDescription) is { } changedDescription)
            {
                request.Description = changedDescription;
            }

            if (call.Get(enable) is { } enabled)
            {
                request.Enabled = enabled;
            }

            if (request.RotateSecret)
            {
                request.PreviousSecretValidity = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(call.Get(validHours)));
            }

            request.EventTypes.AddRange(call.Get(newEvents));
            var webhook = await Client(call).UpdateWebhookAsync(request, call.Headers, cancellationToken: call.Cancellation);
            call.Print(webhook, output =>
            {
                Print(output, webhook);
                if (webhook.Secret.Length > 0)
                {
                    output.WriteLine($"new secret: {webhook.Secret}  (the previous one signs too until {webhook.PreviousSecretExpireTime?.ToDateTimeOffset():u})");
                }
            });
        }));

        var deleteId = new Argument<string>("webhook-id") { Description = "The webhook." };
        command.Subcommands.Add(verbs.Write("delete", "Delete a webhook, its pending deliveries and history.", Rpc["DeleteWebhook"], [deleteId], async call =>
        {
            var deleted = await Client(call).DeleteWebhookAsync(new DeleteWebhookRequest { RequestId = call.RequestId, WebhookId = call.Get(deleteId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(deleted, output => output.WriteLine($"deleted {call.Get(deleteId)}"));
        }));

        var deliveriesId = new Argument<string>("webhook-id") { Description = "The webhook." };
        var count = new Option<int>("--count") { Description = "How many, newest first (at most 100).", DefaultValueFactory = _ => 20 };
        command.Subcommands.Add(verbs.Read("deliveries", "A webhook's pending and last deliveries, with their attempts.", Rpc["ListDeliveries"], [deliveriesId, count], async call =>
        {
            var list = await Client(call).ListDeliveriesAsync(new ListDeliveriesRequest { WebhookId = call.Get(deliveriesId), PageSize = call.Get(count) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(list, output =>
            {
                foreach (var delivery in list.Deliveries)
                {
                    output.WriteLine($"{delivery.DeliveryId}  {delivery.EventType}  {delivery.Status.ToString().ToLowerInvariant()}");
                    foreach (var attempt in delivery.Attempts)
                    {
                        var status = attempt.StatusCode == 0 ? "no answer" : attempt.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        output.WriteLine($"  {attempt.AttemptTime.ToDateTimeOffset():u}  {status}  {attempt.Duration.ToTimeSpan().TotalMilliseconds:0} ms  {attempt.Error}".TrimEnd());
                    }
                }

                if (list.Deliveries.Count == 0)
                {
                    output.WriteLine("no deliveries");
                }
            });
        }));

        var redeliverId = new Argument<string>("webhook-id") { Description = "The webhook." };
        var deliveryId = new Argument<string>("delivery-id") { Description = "A delivery of its history (rse webhook deliveries)." };
        command.Subcommands.Add(verbs.Write("redeliver", "Send a delivery again, with the same webhook-id.", Rpc["RedeliverWebhook"], [redeliverId, deliveryId], async call =>
        {
            var delivery = await Client(call).RedeliverWebhookAsync(
                new RedeliverWebhookRequest { RequestId = call.RequestId, WebhookId = call.Get(redeliverId), DeliveryId = call.Get(deliveryId) }, call.Headers, cancellationToken: call.Cancellation);
            call.Print(delivery, output => output.WriteLine($"queued {delivery.DeliveryId} ({delivery.EventType}) again"));
        }));
        return command;
    }

    private static Api.V1.Webhooks.WebhooksClient Client(Call call) => new(call.Channel);

    private static void Print(TextWriter output, Webhook webhook)
    {
        var scope = webhook.GroupId.Length == 0 ? "network" : $"group {webhook.GroupId}";
        var state = webhook.Enabled ? "enabled" : $"disabled ({webhook.DisabledReason.ToString().ToLowerInvariant()})";
        output.WriteLine($"{webhook.WebhookId}  {webhook.Url}  {scope}  {state}  [{string.Join(", ", webhook.EventTypes)}]  {webhook.PendingDeliveries} pending");
    }
}
