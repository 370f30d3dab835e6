using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using RseOrleans.Grains;
using RseOrleans.Grains.Durability;
using RseOrleans.Model;
using RseOrleans.Silo.Hosting;

namespace RseOrleans.Tests.Fixtures;

/// <summary>An in-process Orleans cluster with the engine's grains and embedded providers.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>Small, so that grain tests cover both pushed and pulled sources.</summary>
    public const int PushThreshold = 24;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Grains => Cluster.Client;

    private CountingGrainStorage? storage;

    private readonly ConcurrentDictionary<(string Method, string Key), int> calls = new();

    /// <summary>How many times the grain of key <paramref name="key"/> was called at <paramref name="method"/>, on any silo.</summary>
    public int CallsTo(string method, string key) => calls.GetValueOrDefault((method, key));

    /// <summary>Every grain call counted so far, by method and key: two snapshots' difference is what happened between them.</summary>
    public IReadOnlyDictionary<(string Method, string Key), int> CallsSnapshot() => new Dictionary<(string Method, string Key), int>(calls);

    /// <summary>
    /// The engine's main grain storage, one for all the silos (a grain may move between them, as
    /// with a real database): it counts what the grains write.
    /// </summary>
    public CountingGrainStorage Storage => storage!;

    /// <summary>The activity log of every silo: keeps nothing, as embedded, but its appends can be made to fail.</summary>
    public FailableActivityLog ActivityLog { get; } = new();

    /// <summary>Short, so that a share count left too high by a failed creation is seen mended within a test.</summary>
    public static readonly TimeSpan UnconfirmedSharesCheckedAfter = TimeSpan.FromSeconds(1);

    /// <summary>Creates a user with a unique id starting with <paramref name="name"/>.</summary>
    public async Task<string> CreateUserAsync(string name)
    {
        var userId = $"{name}-{Guid.NewGuid():N}";
        await Grains.GetGrain<IUserGrain>(userId).Create(new UserProfile(name, "", "", "", "", "", []));
        return userId;
    }

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder();
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddEmbeddedProviders();
            silo.Services.AddSingleton<IActivityLog>(ActivityLog);
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Main, (services, _) =>
                LazyInitializer.EnsureInitialized(ref storage, () => new CountingGrainStorage(services.GetRequiredService<DeepCopier>())));
            silo.Services.AddRseGrainServices(new ConfigurationBuilder().Build());
            silo.AddIncomingGrainCallFilter(call =>
            {
                calls.AddOrUpdate((call.InterfaceMethod.Name, call.TargetId.Key.ToString()!), 1, (_, count) => count + 1);
                return call.Invoke();
            });
            silo.Services.Configure<PostOptions>(options => options.UnconfirmedSharesCheckedAfter = UnconfirmedSharesCheckedAfter);
            silo.Services.Configure<FeedOptions>(options =>
            {
                options.PushThreshold = PushThreshold;
                options.PullRefreshInterval = TimeSpan.Zero;
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
