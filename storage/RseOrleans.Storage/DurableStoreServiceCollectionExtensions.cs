using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Feeds;
using RseOrleans.Grains.Sources;
using RseOrleans.Storage.Postgres;
using RseOrleans.Storage.Redis;
using StackExchange.Redis;

namespace RseOrleans.Storage;

public static class DurableStoreServiceCollectionExtensions
{
    /// <summary>
    /// The PostgreSQL activity log (and feeds built and caught up from it) and group member rows, the
    /// Redis timeline store, the schema migrator and the start-up check. Registered before the grain
    /// services so that they replace the embedded defaults.
    /// </summary>
    public static IServiceCollection AddDurableStores(this IServiceCollection services, DurableStoreOptions stores)
    {
        services.AddSingleton(Options.Create(stores));
        services.AddSingleton(_ => NpgsqlDataSource.Create(stores.Postgres));
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisConfiguration(stores.Redis)));
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<IActivityLog, PostgresActivityLog>();
        services.AddSingleton<ITimelineStore, RedisTimelineStore>();
        services.AddSingleton<ISourceKeeping, DurableSourceKeeping>();
        services.AddSingleton<IFeedHistory, ActivityLogFeedHistory>();
        services.AddSingleton<IMemberSetStore, PostgresMemberSetStore>();
        services.AddSingleton<DurableStoreStartup>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(container => container.GetRequiredService<DurableStoreStartup>());
        services.AddHostedService<FanoutRecoveryService>();
        return services;
    }

    /// <summary>
    /// The engine's Redis settings: keep retrying in the background rather than failing at start
    /// (the start-up check reports an unreachable Redis itself), and fail commands at once while
    /// disconnected, because a feed waiting on a dead cache is worse than a rebuild.
    /// </summary>
    public static ConfigurationOptions RedisConfiguration(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }
}
