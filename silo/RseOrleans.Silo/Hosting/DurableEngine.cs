using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using RseOrleans.Api.Search;
using RseOrleans.Search;
using RseOrleans.Storage;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Silo.Hosting;

/// <summary>Which engine a silo runs (setting "Engine:Mode").</summary>
public enum EngineMode
{
    /// <summary>One process, everything in memory: nothing to install, nothing survives a restart.</summary>
    Embedded,

    /// <summary>Grain state and the activity log in PostgreSQL, membership and timelines in Redis; one silo or many.</summary>
    Durable,
}

public static class DurableEngine
{
    /// <summary>Runs the embedded default or durable mode, as configured.</summary>
    public static ISiloBuilder UseConfiguredEngine(this ISiloBuilder silo, IConfiguration configuration) =>
        configuration.GetValue("Engine:Mode", EngineMode.Embedded) == EngineMode.Durable
            ? silo.UseDurableEngine(configuration)
            : silo.UseEmbeddedEngine(configuration);

    /// <summary>
    /// Durable mode: a silo of a cluster whose members find each other in Redis, with grain state
    /// (and stream subscriptions) in PostgreSQL through Orleans' ADO.NET provider, and the activity
    /// log and timeline store of <see cref="DurableStoreServiceCollectionExtensions.AddDurableStores"/>.
    /// </summary>
    public static ISiloBuilder UseDurableEngine(this ISiloBuilder silo, IConfiguration configuration)
    {
        var cluster = configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        var stores = new DurableStoreOptions
        {
            Postgres = configuration.GetConnectionString("Postgres") ?? "",
            Redis = configuration.GetConnectionString("Redis") ?? "",
        };
        configuration.GetSection("Durable").Bind(stores);
        if (string.IsNullOrWhiteSpace(stores.Postgres) || string.IsNullOrWhiteSpace(stores.Redis))
        {
            throw new DurableStoreUnavailableException(
                "Durable mode needs ConnectionStrings:Postgres and ConnectionStrings:Redis " +
                "(or the environment variables ConnectionStrings__Postgres and ConnectionStrings__Redis).");
        }

        silo.Configure<Orleans.Configuration.ClusterOptions>(options =>
        {
            options.ClusterId = cluster.ClusterId;
            options.ServiceId = cluster.ServiceId;
        });
        silo.ConfigureEndpoints(
            IPAddress.Parse(cluster.AdvertisedAddress),
            cluster.SiloPort,
            cluster.GatewayPort,
            listenOnAnyHostAddress: cluster.ListenOnAnyAddress);
        silo.UseRedisClustering(options => options.ConfigurationOptions = DurableStoreServiceCollectionExtensions.RedisConfiguration(stores.Redis));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MembershipTableKeeper>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MembershipLeaving>();
        silo.Configure<ClusterMembershipOptions>(options => ProbeForDeadSilos(options, configuration));
        return silo.AddDurableProviders(stores, configuration.SearchSettings());
    }

    /// <summary>
    /// How fast the cluster declares a silo dead that stopped answering (a kill, a crash, a lost
    /// node): until then, calls to the grains it held fail. Orleans' defaults (5 s probes, 3 missed)
    /// took 7–8 s, and up to 28 s. Probing every second with 3 missed probes and 2 votes declares a
    /// killed silo dead in about 3 s, within the 5 s a dead silo may stall the others. The price: a
    /// silo that cannot answer a probe for about 3 s (a long GC pause, a starved CPU) is declared
    /// dead and restarts; the probe timeout stretches while a silo sees itself degraded, and the
    /// Deployment requests a full CPU per silo. Settings "Orleans:Membership:*" override these.
    /// </summary>
    public static void ProbeForDeadSilos(ClusterMembershipOptions options, IConfiguration configuration)
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedProbesLimit = 3;
        options.NumVotesForDeathDeclaration = 2;
        configuration.GetSection($"{SiloHostOptions.Section}:Membership").Bind(options);
    }

    /// <summary>The storage and stream providers the grains expect, backed by PostgreSQL and Redis.</summary>
    public static ISiloBuilder AddDurableProviders(this ISiloBuilder silo, DurableStoreOptions stores, SearchOptions search)
    {
        foreach (var storage in new[] { StorageNames.Main, StorageNames.PubSub })
        {
            silo.AddAdoNetGrainStorage(storage, (OptionsBuilder<AdoNetGrainStorageOptions> options) =>
                options.Configure<NpgsqlDataSource, Serializer>((storageOptions, database, serializer) =>
                {
                    storageOptions.Invariant = "Npgsql";

                    // One connection pool per silo for grain state and the activity log alike, so
                    // that "silos × Maximum Pool Size" is what PostgreSQL's max_connections must hold.
                    storageOptions.DataSource = database;

                    // The same compact, version-tolerant format as every grain message
                    // ([GenerateSerializer] with [Id]s), rather than the provider's default JSON.
                    storageOptions.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));

            // Behind the PostgreSQL breaker: fails at once while PostgreSQL is down, and turns its
            // failures into an exception every silo can read.
            silo.Services.AddKeyedSingleton<IGrainStorage>(storage, (services, _) => new BreakerGrainStorage(
                AdoNetGrainStorageFactory.Create(services, storage),
                services.GetRequiredKeyedService<StoreBreaker>(StoreBreaker.Postgres)));
        }

        // Should a client library's exception still escape the storage boundary, it crosses silos
        // (rebuilt, or as a fallback naming its type: either way the API edge answers UNAVAILABLE) rather than
        // failing the call with "Could not find a codec".
        silo.Services.Configure<ExceptionSerializationOptions>(options =>
        {
            options.SupportedNamespacePrefixes.Add("Npgsql");
            options.SupportedNamespacePrefixes.Add("StackExchange.Redis");
        });

        silo.Services.AddDurableStores(stores, search);

        // Webhook retries wake on reminders kept in PostgreSQL (migration 0004), so that a retry
        // schedule outlives the silo that started it.
        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = "Npgsql";
            options.ConnectionString = stores.Postgres;
        });
        return silo.AddLiveFeedStreams();
    }
}
