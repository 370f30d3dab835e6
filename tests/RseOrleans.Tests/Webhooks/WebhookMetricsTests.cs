using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Telemetry;

namespace RseOrleans.Tests.Webhooks;

[Collection(ProcessWideMetricsCollection.Name)]
public sealed class WebhookMetricsTests
{
    [Fact]
    public async Task Webhook_attempts_are_counted_by_outcome()
    {
        var metrics = new List<Metric>();
        await using var engine = await RunningEngine.StartAsync(
            "webhook-metrics",
            builder => builder.Services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics)),
            [.. WebhookEngineFixture.Settings, "--Telemetry:Enabled=true"]);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, earlier) => (earlier == 0 ? 500 : 200, TimeSpan.Zero);
        var api = new EngineClient(engine.Channel);
        var owner = await api.CreateUserAsync("owner");
        var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
        var request = new CreateWebhookRequest { RequestId = EngineClient.NewRequestId(), GroupId = group.GroupId, Url = receiver.Url, EventTypes = { "post.created" } };
        var webhook = await api.Webhooks.CreateWebhookAsync(request, EngineClient.As(owner));

        await api.PostAsync(owner, "counted", group.GroupId);
        await receiver.WaitForAsync(r => r.Count == 2, "a failed attempt and a delivery");
        await Eventually.TrueAsync(
            async () => (await api.Webhooks.ListDeliveriesAsync(new ListDeliveriesRequest { WebhookId = webhook.WebhookId }, EngineClient.As(owner))).Deliveries.Single().Status == DeliveryStatus.Succeeded,
            "the delivery logged");
        engine.Services.GetRequiredService<MeterProvider>().ForceFlush();

        Assert.Equal(1, Outcome(metrics, "refused"));
        Assert.Equal(1, Outcome(metrics, "succeeded"));
    }

    private static long Outcome(List<Metric> metrics, string outcome)
    {
        long total = 0;
        foreach (var metric in metrics.Where(metric => metric.Name == "rse.webhook.attempts"))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    if (tag.Key == "outcome" && Equals(tag.Value, outcome))
                    {
                        total += point.GetSumLong();
                    }
                }
            }
        }

        return total;
    }
}
