using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Session;
using Orleans.Storage;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Silo.Hosting;

public static class EmbeddedEngine
{
    /// <summary>
    /// The embedded default: one silo clustered on localhost, grain state and stream
    /// subscriptions in this process's memory (<see cref="InProcessGrainStorage"/>), request ledgers
    /// too (<see cref="InProcessRequestLedgerStore"/>). Nothing to install, nothing survives a restart.
    /// </summary>
    public static ISiloBuilder UseEmbeddedEngine(this ISiloBuilder silo, IConfiguration configuration)
    {
        var cluster = configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        foreach (var storage in new[] { StorageNames.Main, StorageNames.PubSub })
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(storage, (services, _) =>
                new InProcessGrainStorage(services.GetRequiredService<Serializer>(), services.GetRequiredService<SerializerSessionPool>()));
        }

        silo.Services.AddSingleton<IRequestLedgerStore, InProcessRequestLedgerStore>();
        return silo.AddInMemoryRemindersAndStreams();
    }

    /// <summary>
    /// The providers for several silos in one process (the tests' clusters): grain state in
    /// Orleans' memory storage, whose storage grains every silo reaches, as a grain may move.
    /// </summary>
    public static ISiloBuilder AddEmbeddedProviders(this ISiloBuilder silo)
    {
        foreach (var storage in new[] { StorageNames.Main, StorageNames.PubSub })
        {
            silo.AddMemoryGrainStorage(storage, (OptionsBuilder<MemoryGrainStorageOptions> options) =>
                options.Configure<Serializer>((storageOptions, serializer) =>
                    // In the binary format durable mode stores: the provider's default JSON (type names
                    // included) made a user's copy 1.5 KB against about 350 bytes.
                    storageOptions.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer)));
        }

        return silo.AddInMemoryRemindersAndStreams();
    }

    // Webhook retries wake on reminders; in memory they last as long as the process, like everything here.
    private static ISiloBuilder AddInMemoryRemindersAndStreams(this ISiloBuilder silo) =>
        silo.UseInMemoryReminderService().AddLiveFeedStreams();

    /// <summary>
    /// Live feed events travel on in-memory streams in both modes: they are the fast path, the
    /// persisted feed and its cursor are the truth, and a watcher that reconnects catches up.
    /// </summary>
    public static ISiloBuilder AddLiveFeedStreams(this ISiloBuilder silo) =>
        // Live-feed wake-ups wait for the stream's pulling agent: poll often, they are latency.
        silo.AddMemoryStreams(StreamNames.Provider, stream => stream.ConfigurePullingAgent(agent =>
            agent.Configure(options => options.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10))));
}
