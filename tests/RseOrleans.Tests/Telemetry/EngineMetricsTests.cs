using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;
using StatusCode = Grpc.Core.StatusCode;

namespace RseOrleans.Tests.Telemetry;

/// <summary>
/// The engine's meters are process-wide, as .NET meters are: engines of other test classes would
/// count into them, so the figures are checked in a collection that runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetricsCollection
{
    public const string Name = "Process-wide metrics";
}

[Collection(ProcessWideMetricsCollection.Name)]
public sealed class EngineMetricsTests
{
    [Fact]
    public async Task Metrics_count_posts_deliveries_feed_reads_and_refusals_by_status()
    {
        var metrics = new List<Metric>();
        await using var engine = await RunningEngine.StartAsync(
            "metrics",
            builder => builder.Services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics)),
            "--Telemetry:Enabled=true");
        var api = new EngineClient(engine.Channel);
        var alice = await api.CreateUserAsync("alice");
        await api.PostAsync(alice, "One");
        await api.PostAsync(alice, "Two");
        await api.HomeFeedAsync(alice);
        var refused = await Assert.ThrowsAsync<RpcException>(() => api.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "" }, As(alice)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);

        engine.Services.GetRequiredService<MeterProvider>().ForceFlush();

        Assert.Equal(2, Sum(metrics, "rse.posts.published"));
        Assert.True(Sum(metrics, "rse.feed.deliveries") >= 2, "each post is delivered at least into its author's feed");
        Assert.Equal(1, Sum(metrics, "rse.feed.reads"));
        Assert.Equal(1, Sum(metrics, "rse.api.rejected", ("rpc.grpc.status_code", "InvalidArgument"), ("rpc.method", "/rse.v1.Posts/CreatePost")));
    }

    private static long Sum(List<Metric> metrics, string name, params (string Key, string Value)[] tags)
    {
        long total = 0;
        foreach (var metric in metrics.Where(metric => metric.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var pointTags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                {
                    pointTags[tag.Key] = tag.Value;
                }

                if (tags.All(tag => Equals(pointTags.GetValueOrDefault(tag.Key), tag.Value)))
                {
                    total += metric.MetricType == MetricType.LongSum ? point.GetSumLong() : point.GetHistogramCount();
                }
            }
        }

        return total;
    }
}
