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

/// <summary>Traces and metrics as an OTLP collector or Prometheus would receive them, caught in memory.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class TelemetryTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task A_post_is_one_trace_from_the_API_call_through_the_grains()
    {
        var spans = new List<Activity>();
        await using var engine = await RunningEngine.StartAsync("traces", Capture(spans), "--Telemetry:Enabled=true");
        var api = new EngineClient(engine.Channel);
        var alice = await api.CreateUserAsync("alice");

        await api.PostAsync(alice, "Traced from end to end");

        var trace = await TraceOfAsync(spans, "/rse.v1.Posts/CreatePost");
        Assert.Contains(trace, span => span.Source.Name == "Microsoft.Orleans.Application" && span.DisplayName == "IRequestLedgerGrain/Begin");
        Assert.Contains(trace, span => span.Source.Name == "Microsoft.Orleans.Application" && span.DisplayName == "ISourceGrain/PublishAll");
        Assert.Contains(trace, span => span.Source.Name == "Microsoft.Orleans.Application" && span.DisplayName == "IPostGrain/Create");
    }

    [Fact]
    public async Task In_durable_mode_the_trace_reaches_PostgreSQL_and_Redis_commands_are_traced()
    {
        var spans = new List<Activity>();
        var stores = await DurableStores.CreateAsync(servers, "traces");
        await using var engine = await stores.StartEngineAsync("traces", Capture(spans), "--Telemetry:Enabled=true");
        var api = new EngineClient(engine.Channel);
        var alice = await api.CreateUserAsync("alice");

        await api.PostAsync(alice, "Traced down to the database");

        var trace = await TraceOfAsync(spans, "/rse.v1.Posts/CreatePost");
        Assert.Contains(trace, span => span.Source.Name == "Microsoft.Orleans.Application");
        Assert.Contains(trace, span => span.Source.Name == "Npgsql");

        // The feed's timeline snapshot is read from Redis as its grain activates; activations run
        // outside the call that caused them, so that span stands in a trace of its own.
        await EventuallyAsync(() => spans.Exists(span => span.Source.Name == "OpenTelemetry.Instrumentation.StackExchangeRedis"), "a Redis span");
    }

    [Fact]
    public async Task Prometheus_scrapes_the_metrics_when_asked_to()
    {
        await using var engine = await RunningEngine.StartAsync("prometheus", "--Telemetry:Prometheus=true");
        var api = new EngineClient(engine.Channel);
        await api.PostAsync(await api.CreateUserAsync("alice"), "Counted");

        // Scrapers speak HTTP/1.1: the engine's HTTP/1.1 port serves them.
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(engine.Http1Address, "/metrics"));

        Assert.Contains("rse_posts_published", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_is_collected_or_exported_unless_configured()
    {
        await using var engine = await RunningEngine.StartAsync("quiet");

        Assert.Null(engine.Services.GetService<TracerProvider>());
        Assert.Null(engine.Services.GetService<MeterProvider>());
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Assert.NotEqual(HttpStatusCode.OK, (await http.GetAsync(new Uri(engine.Address, "/metrics"))).StatusCode);
    }

    private static Action<WebApplicationBuilder> Capture(List<Activity> spans) =>
        builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));

    /// <summary>
    /// The spans of the trace that the server span of <paramref name="path"/> belongs to. That span
    /// ends once the response is written, which the client may see first: it is waited for.
    /// </summary>
    private static async Task<List<Activity>> TraceOfAsync(List<Activity> spans, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            // The exporter adds while this reads: Find and FindAll go by index, never by a checked enumerator.
            if (spans.Find(span => span.Source.Name == "Microsoft.AspNetCore" && span.GetTagItem("url.path") as string == path) is { } call)
            {
                return spans.FindAll(span => span.TraceId == call.TraceId);
            }

            Assert.True(attempt < 100, $"no server span for {path} within 5 s");
            await Task.Delay(50);
        }
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        for (var attempt = 0; !condition(); attempt++)
        {
            Assert.True(attempt < 100, $"{what} within 5 s");
            await Task.Delay(50);
        }
    }
}
