using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using RseOrleans.Grains.Feeds;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Fanout;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Grains.Sources;
using RseOrleans.Grains.Webhooks;

namespace RseOrleans.Grains;

public static class GrainServiceCollectionExtensions
{
    /// <summary>Registers what the grains need beside Orleans itself: settings, clock, id generator and the silo's local read model.</summary>
    public static IServiceCollection AddRseGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<FeedOptions>(configuration.GetSection(FeedOptions.Section));
        services.Configure<IdOptions>(configuration.GetSection(IdOptions.Section));
        services.Configure<ReactionOptions>(configuration.GetSection(ReactionOptions.Section));
        services.Configure<PostOptions>(configuration.GetSection(PostOptions.Section));
        services.Configure<RequestLedgerOptions>(configuration.GetSection(RequestLedgerOptions.Section));
        services.AddRememberedGrainInterfaceTypes();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TimeOrderedIdGenerator>();
        services.TryAddSingleton<PulledSourceCache>();
        services.TryAddSingleton<LocalReadModel>();

        // Fan-out: one delivery service per silo, appending posts to the timelines of its feeds in memory.
        services.TryAddSingleton<LocalFeeds>();
        services.TryAddSingleton<SharedStrings>();
        services.TryAddSingleton<FeedDeliveryClient>();
        services.AddGrainService<FeedDeliveryService>();
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<FeedOptions>>((collection, feed) =>
            collection.ClassSpecificCollectionAge[typeof(FeedGrain).FullName!] = feed.Value.InactiveAfter);

        // The embedded default keeps nothing beyond grain state; durable mode registers its own first.
        services.TryAddSingleton<IActivityLog, NoActivityLog>();
        services.TryAddSingleton<ITimelineStore, NoTimelineStore>();
        services.TryAddSingleton<ISourceKeeping, EmbeddedSourceKeeping>();
        services.TryAddSingleton<IFeedHistory, SourceWindowFeedHistory>();
        services.TryAddSingleton<IMemberSetStore, GrainStorageMemberSetStore>();
        services.TryAddSingleton<IRequestLedgerStore, GrainStorageRequestLedgerStore>();
        services.TryAddSingleton<Events.EngineEvents>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIncomingGrainCallFilter, StorageFailureFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIncomingGrainCallFilter, LocalPublishingFilter>());
        services.AddRseWebhooks(configuration);
        services.Configure<AnalyticsOptions>(configuration.GetSection(AnalyticsOptions.Section));
        Analytics.AnalyticsServiceCollectionExtensions.AddRseAnalytics(services);
        return services;
    }
}
