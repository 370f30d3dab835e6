using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RseOrleans.Grains;
using RseOrleans.Grains.Analytics;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Feeds;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Grains.Sources;
using RseOrleans.Model;
using RseOrleans.Search;
using RseOrleans.Storage.Analytics;
using RseOrleans.Storage.Search;
using RseOrleans.Storage.Postgres;
using RseOrleans.Storage.Redis;
using RseOrleans.Storage.Resilience;
using StackExchange.Redis;

namespace RseOrleans.Storage;

public static class DurableStoreServiceCollectionExtensions
{
    /// <summary>
    /// The PostgreSQL activity log (and feeds built and caught up from it), group member rows and
    /// request ledger rows, the Redis timeline store, the schema migrator and the start-up check.
    /// Registered before the grain services so that they replace the embedded defaults.
    /// </summary>
    public static IServiceCollection AddDurableStores(this IServiceCollection services, DurableStoreOptions stores, SearchOptions search)
    {
        services.AddSingleton(Options.Create(stores));
        services.AddSingleton(_ => NpgsqlDataSource.Create(PostgresConnectionString(stores.Postgres)));
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisConfiguration(stores.Redis)));
        services.AddKeyedSingleton(StoreBreaker.Postgres, (provider, _) => PostgresBreaker(provider, stores));
        services.AddKeyedSingleton(StoreBreaker.Redis, (provider, _) => RedisBreaker(provider, stores));
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<IActivityLog, PostgresActivityLog>();
        services.AddSingleton<ITimelineStore, RedisTimelineStore>();
        services.AddSingleton<ISourceKeeping, DurableSourceKeeping>();
        services.AddSingleton<IFeedHistory, ActivityLogFeedHistory>();
        services.AddSingleton<IMemberSetStore, PostgresMemberSetStore>();
        services.AddSingleton<IRequestLedgerStore, PostgresRequestLedgerStore>();
        services.AddSingleton<RequestLedgerSweeper>();
        services.AddHostedService(provider => provider.GetRequiredService<RequestLedgerSweeper>());
        services.AddSingleton<DurableStoreStartup>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(container => container.GetRequiredService<DurableStoreStartup>());
        services.AddHostedService<FanoutRecoveryService>();
        services.AddDurableSearch(search);
        services.AddDurableAnalytics();
        return services;
    }

    /// <summary>
    /// The analytics journal and the people's table (registered before the grain services'
    /// defaults, which then keep them), the rebuild from the journal and its daily pruning, whose
    /// retention is checked at start.
    /// </summary>
    private static IServiceCollection AddDurableAnalytics(this IServiceCollection services)
    {
        services.AddSingleton<IAnalyticsPeopleStore, PostgresAnalyticsPeopleStore>();
        services.AddSingleton<PostgresAnalyticsJournal>();
        services.AddSingleton<IAnalyticsJournal>(provider => provider.GetRequiredService<PostgresAnalyticsJournal>());
        services.AddSingleton<IAnalyticsRebuild, PostgresAnalyticsRebuild>();
        services.AddOptions<AnalyticsOptions>()
            .Validate(
                options => options.JournalRetention >= AnalyticsOptions.ShortestJournalRetention,
                $"Analytics:JournalRetention must be at least {AnalyticsOptions.ShortestJournalRetention.TotalDays} days (the 28-day window and the day counted)")
            .ValidateOnStart();
        services.AddSingleton<AnalyticsJournalPruner>();
        services.AddHostedService(provider => provider.GetRequiredService<AnalyticsJournalPruner>());
        return services;
    }

    /// <summary>
    /// Search in PostgreSQL (registered before the API's, which then keeps it) and, unless
    /// <c>Search:Indexing</c> is off, the loop that feeds it posts and comments from the activity log
    /// and people and groups from their grains.
    /// </summary>
    private static IServiceCollection AddDurableSearch(this IServiceCollection services, SearchOptions search)
    {
        services.AddSingleton<PostgresSearchIndex>();
        services.AddSingleton<ISearchIndex>(provider => provider.GetRequiredService<PostgresSearchIndex>());
        // Registered either way: a rebuild asked for (rse admin reindex) runs the indexer itself.
        services.AddSingleton<OwnerEntries>();
        services.AddSingleton<OwnerSearchIndexer>();
        services.AddSingleton<ActivitySearchIndexer>();
        if (search.Indexing)
        {
            services.AddHostedService(provider => provider.GetRequiredService<ActivitySearchIndexer>());
        }

        services.AddSingleton<ISearchRebuild, PostgresSearchRebuild>();
        return services;
    }

    /// <summary>
    /// The engine's PostgreSQL settings: the connection string as configured, with short timeouts
    /// where it sets none, so that a server that stopped answering fails a call in seconds, not
    /// after Npgsql's defaults (15 s to connect, 30 s per command).
    /// </summary>
    public static string PostgresConnectionString(string configured)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = configured };
        var builder = new NpgsqlConnectionStringBuilder(configured);
        if (!given.ContainsKey("Timeout"))
        {
            builder.Timeout = DefaultConnectTimeoutSeconds;
        }

        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout"))
        {
            builder.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        return builder.ConnectionString;
    }

    /// <summary>Seconds to open a connection (and to wait for a pooled one) when the connection string says nothing.</summary>
    public const int DefaultConnectTimeoutSeconds = 2;

    /// <summary>Seconds a command may run when the connection string says nothing; schema migrations have no limit.</summary>
    public const int DefaultCommandTimeoutSeconds = 5;

    /// <summary>
    /// The PostgreSQL breaker probes with "SELECT 1" on a connection of its own (unpooled): a pool
    /// full of connections stuck on a frozen server must not make the store look healthy or busy.
    /// </summary>
    private static StoreBreaker PostgresBreaker(IServiceProvider provider, DurableStoreOptions stores)
    {
        var probeTimeout = (int)Math.Ceiling(stores.Breaker.ProbeTimeout.TotalSeconds);
        var probeConnection = new NpgsqlConnectionStringBuilder(PostgresConnectionString(stores.Postgres))
        {
            Pooling = false,
            Timeout = probeTimeout,
            CommandTimeout = probeTimeout,
        }.ConnectionString;
        return new StoreBreaker(
            StoreBreaker.Postgres,
            "calls that need it answer UNAVAILABLE at once",
            async cancellation =>
            {
                await using var connection = new NpgsqlConnection(probeConnection);
                await connection.OpenAsync(cancellation);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellation);
            },
            // Every connection the pool held from before the outage is dead or suspect: without
            // this, each would fail one call after PostgreSQL is back.
            () => provider.GetRequiredService<NpgsqlDataSource>().Clear(),
            stores.Breaker,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<StoreBreaker>>());
    }

    /// <summary>The Redis breaker probes with PING on the engine's connection, which reconnects by itself.</summary>
    private static StoreBreaker RedisBreaker(IServiceProvider provider, DurableStoreOptions stores)
    {
        var redis = provider.GetRequiredService<IConnectionMultiplexer>();
        return new StoreBreaker(
            StoreBreaker.Redis,
            "feeds are served and rebuilt from PostgreSQL without it",
            async _ => await redis.GetDatabase().PingAsync(),
            // The multiplexer has reconnected by itself: nothing to drop.
            () => { },
            stores.Breaker,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<StoreBreaker>>());
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
