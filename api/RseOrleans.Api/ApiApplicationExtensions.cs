using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RseOrleans.Api.Access;
using RseOrleans.Api.Auth;
using RseOrleans.Api.Errors;
using RseOrleans.Api.Health;
using RseOrleans.Api.Http;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.Idempotency;
using RseOrleans.Api.Reactions;
using RseOrleans.Api.Identity;
using RseOrleans.Api.Limits;
using RseOrleans.Api.Publishing;
using RseOrleans.Api.Reads;
using RseOrleans.Api.Search;
using RseOrleans.Api.Services;
using RseOrleans.Api.ServiceAccounts;
using RseOrleans.Grains;

namespace RseOrleans.Api;

public static class ApiApplicationExtensions
{
    /// <summary>The rse.v1 gRPC services with their error mapping, their JSON transcoding, plus reflection and the health service.</summary>
    public static IServiceCollection AddRseApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<ErrorMappingInterceptor>();
            // Inside the error mapping, which words what a retried read still threw.
            options.Interceptors.Add<ReadCallInterceptor>();
            options.Interceptors.Add<WriteCallInterceptor>();
            // Inside the error mapping: it tells refusals from unknown outcomes by what the call threw.
            options.Interceptors.Add<MutatingCallInterceptor>();
            options.MaxReceiveMessageSize = RequestLimits.MaxMessageBytes;
        }).AddRseHttp();
        services.ReplaceDefaultBinder();
        services.AddGrpcReflection();
        // Checks run on each health request rather than from a cache published every few seconds.
        services.AddGrpcHealthChecks(options =>
            {
                options.UseHealthChecksCache = false;
                // The gRPC health service answers as it always did: is this engine ready to serve.
                options.Services.Map("", result => result.Tags.Contains(HttpApi.ReadyTag));
            })
            .AddCheck<EngineHealthCheck>("engine", tags: [HttpApi.ReadyTag])
            .AddCheck<SiloLivenessCheck>("silo", tags: [HttpApi.LiveTag]);
        services.Configure<LiveFeedOptions>(configuration.GetSection(LiveFeedOptions.Section));
        services.AddRseAuthentication(configuration);
        services.Configure<NetworkOptions>(configuration.GetSection(NetworkOptions.Section));
        services.Configure<WriteLimitOptions>(configuration.GetSection(WriteLimitOptions.Section));
        services.AddSingleton<WriteRateLimiter>();
        services.Configure<RequestLedgerOptions>(configuration.GetSection(RequestLedgerOptions.Section));
        services.AddSingleton<ReplayedAnswers>();
        // Filled by the grains of a silo in this process (AddRseGrainServices registers the same
        // one); an API process without a silo keeps it empty and always calls the grains.
        services.TryAddSingleton<LocalReadModel>();
        services.AddSingleton<GrainReads>();
        services.AddSingleton<CallerIdentity>();
        services.AddSingleton<AccessPolicy>();
        services.AddSingleton<PostHydrator>();
        services.Configure<AnalyticsOptions>(configuration.GetSection(AnalyticsOptions.Section));
        services.TryAddSingleton<AnalyticsRecorder>();
        services.AddSingleton<Analytics.NetworkHighlights>();
        services.AddSingleton<Analytics.NetworkStatsReader>();
        services.AddSingleton<ReactionBatcher>();
        services.AddSingleton<PublishBatcher>();
        services.AddSingleton<FeedPager>();
        services.AddSingleton<NotificationReader>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Notifying.NotificationProducer>();
        services.AddRseSearch(configuration.SearchSettings());
        services.Configure<Model.WebhookOptions>(configuration.GetSection(Model.WebhookOptions.Section));
        services.AddSingleton<Webhooks.WebhookManagers>();
        services.AddRseServiceAccounts(configuration);
        services.AddRseCors(configuration);
        return services;
    }

    /// <summary>The rse.v1 endpoints, behind the per-call size limits.</summary>
    public static WebApplication UseRseApi(this WebApplication app)
    {
        // First: a preflight is answered before any limit or endpoint sees it.
        app.UseRseCors();
        app.UseRseOpenApi();
        // The limits read a call's body as it arrives: a gRPC-Web text call's base64 is decoded after them.
        app.UseMiddleware<RequestLimits>();
        app.UseRseGrpcWeb();
        app.MapRseApi();
        return app;
    }

    private static IEndpointRouteBuilder MapRseApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<UsersService>();
        endpoints.MapGrpcService<GroupsService>();
        endpoints.MapGrpcService<PostsService>();
        endpoints.MapGrpcService<FeedsService>();
        endpoints.MapGrpcService<AdminService>();
        endpoints.MapGrpcService<TopicsService>();
        endpoints.MapGrpcService<NotificationsService>();
        endpoints.MapGrpcService<SearchService>();
        endpoints.MapGrpcService<Webhooks.WebhooksService>();
        endpoints.MapGrpcService<ServiceAccountsService>();
        endpoints.MapGrpcService<Analytics.AnalyticsService>();
        endpoints.MapGrpcReflectionService();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapRseProbes();
        Dashboard.DashboardEndpoints.MapRseDashboard(endpoints);
        return endpoints;
    }
}
