using RseOrleans.Api;
using RseOrleans.Api.Health;
using RseOrleans.Api.Limits;
using RseOrleans.Api.Reads;
using RseOrleans.Grains;
using RseOrleans.Silo.Demo;
using RseOrleans.Silo.Hosting;

namespace RseOrleans.Silo;

/// <summary>
/// The engine process: an Orleans silo and the gRPC endpoint in one host. Program.cs runs it;
/// the tests and benchmarks start the very same host on free loopback ports.
/// </summary>
public static class RseHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = DemoOptions.ExpandSwitch(args),

            // appsettings.json travels with the binaries: the engine finds it wherever it is started from.
            ContentRootPath = AppContext.BaseDirectory,
        });

        // gRPC (and JSON) over cleartext HTTP/2 on http://127.0.0.1:5080 (appsettings.json), JSON,
        // gRPC-Web and the probes over HTTP/1.1 on port 6080: EngineEndpoints says why two ports.
        EngineEndpoints.Configure(builder);
        builder.WebHost.ConfigureKestrel(RequestLimits.ConfigureKestrel);
        builder.Services.AddHostedService<KestrelRefusalLog>();
        builder.Services.AddSingleton<ILocalSiloStatus, LocalSiloStatus>();

        builder.UseOrleans(silo => silo
            .UseConfiguredEngine(builder.Configuration)
            // A read whose caller has gone stops waiting for its grains, freeing its HTTP/2 stream.
            .AddOutgoingGrainCallFilter<CallerGoneFilter>()
            // Activity.Current crosses grain calls: a trace runs from the API call to the storage.
            .AddActivityPropagation());
        builder.Services.AddRseGrainServices(builder.Configuration);
        builder.Services.AddRseApi(builder.Configuration);
        builder.Services.AddDemoNetwork(builder.Configuration);
        builder.AddEngineTelemetry();
        configure?.Invoke(builder);
        LogNoiseFilter.Apply(builder.Services);

        var app = builder.Build();
        app.UseRseApi();
        app.MapEngineTelemetry();
        return app;
    }
}
