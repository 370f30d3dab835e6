using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RseOrleans.Api.Telemetry;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Silo.Hosting;

/// <summary>Settings of section <c>Telemetry</c>: nothing is collected or exported unless one is set.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>An OTLP collector's address (such as <c>http://otel-collector:4317</c>): traces and metrics go there.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317, the default) or <c>http/protobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Serves the metrics at <c>/metrics</c> for Prometheus to scrape.</summary>
    public bool Prometheus { get; set; }

    /// <summary>Collects without an exporter of its own, for exporters added in code (the tests' in-memory one).</summary>
    public bool Enabled { get; set; }

    public bool Collects => Enabled || Prometheus || !string.IsNullOrWhiteSpace(OtlpEndpoint);
}

/// <summary>
/// OpenTelemetry for the engine: traces from the API through the grains (Orleans' activity
/// propagation) to PostgreSQL, and the metrics of ASP.NET Core, Orleans and the engine's own meters.
/// </summary>
public static class EngineTelemetry
{
    /// <summary>The activity sources traced: the HTTP server, the engine's grain calls, PostgreSQL (Orleans' own runtime calls are left out: they are background noise, not a caller's work).</summary>
    private static readonly string[] TracedSources = ["Microsoft.AspNetCore", "Microsoft.Orleans.Application", "Npgsql"];

    private static readonly string[] Meters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.Orleans", EngineMetrics.MeterName, ApiMetrics.MeterName];

    public static void AddEngineTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!options.Collects)
        {
            // No listener at all: Orleans and ASP.NET Core then create no activities.
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("rseorleans", serviceInstanceId: Environment.MachineName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(TracedSources).AddAspNetCoreInstrumentation();
                if (builder.Configuration["Engine:Mode"] is { } mode && mode.Equals("Durable", StringComparison.OrdinalIgnoreCase))
                {
                    // Finds the engine's Redis connection among its services; its spans are gathered
                    // every second, so a Redis call shows in its trace about a second late.
                    tracing.AddRedisInstrumentation(redis => redis.FlushInterval = TimeSpan.FromSeconds(1));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);
                if (options.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            var protocol = options.OtlpProtocol.Equals("http/protobuf", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            telemetry.UseOtlpExporter(protocol, new Uri(options.OtlpEndpoint));
        }
    }

    public static void MapEngineTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() is { Prometheus: true })
        {
            app.MapPrometheusScrapingEndpoint();
        }
    }
}
