using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.TestingHost;
using RseOrleans.Grains;
using RseOrleans.Search;
using RseOrleans.Silo.Hosting;
using RseOrleans.Storage;
using RseOrleans.Tests.Fixtures.Servers;

namespace RseOrleans.Tests.Fixtures;

/// <summary>
/// Engines in durable mode on the test servers. Each test class takes a database of its own and
/// a Redis key prefix of its own, so that classes never see each other's data.
/// </summary>
public sealed class DurableStores(DatabaseServersFixture servers, string postgres, string redisPrefix)
{
    public DatabaseServersFixture Servers => servers;

    public string Postgres => postgres;

    public static async Task<DurableStores> CreateAsync(DatabaseServersFixture servers, string name)
    {
        var database = $"{name}_{Guid.NewGuid():N}".ToLowerInvariant();
        // A stopped server refuses connections at once whatever the timeout; a busy one may make a
        // burst of activations wait for a pooled connection, which is not an outage.
        // Several engines or silos share the test server: each keeps a small pool, as a deployment
        // sizes "silos × Maximum Pool Size" under PostgreSQL's max_connections.
        var postgres = new NpgsqlConnectionStringBuilder(await servers.CreateDatabaseAsync(database)) { Timeout = 30, MaxPoolSize = 20 };
        return new DurableStores(servers, postgres.ConnectionString, $"{database}:");
    }

    /// <summary>Starts the real engine host in durable mode; <paramref name="settings"/> go on top.</summary>
    public Task<RunningEngine> StartEngineAsync(string name, params IEnumerable<string> settings) =>
        RunningEngine.StartAsync(name, DurableSettings(settings));

    /// <summary>Starts the engine in durable mode with services added by <paramref name="configure"/>.</summary>
    public Task<RunningEngine> StartEngineAsync(string name, Action<WebApplicationBuilder>? configure, params IEnumerable<string> settings) =>
        RunningEngine.StartAsync(name, configure, DurableSettings(settings));

    /// <summary>Starts the engine program in durable mode as a process of its own, for a test that kills it.</summary>
    public Task<EngineProcess> StartEngineProcessAsync(params IEnumerable<string> settings) =>
        EngineProcess.StartAsync(DurableSettings(settings));

    private IEnumerable<string> DurableSettings(IEnumerable<string> settings) =>
    [
        "--Engine:Mode=Durable",
        $"--ConnectionStrings:Postgres={postgres}",
        $"--ConnectionStrings:Redis={servers.RedisConnectionString}",
        $"--Durable:RedisKeyPrefix={redisPrefix}",
        "--Limits:WritesPerMinute=0",
        .. settings,
    ];

    /// <summary>
    /// An in-process cluster of <paramref name="silos"/> silos on these stores (membership is the test
    /// cluster's own), for tests that kill a silo; <paramref name="configure"/> adds fault injection.
    /// </summary>
    public async Task<InProcessTestCluster> StartClusterAsync(short silos, Action<ISiloBuilder> configure)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddDurableProviders(new DurableStoreOptions
            {
                Postgres = postgres,
                Redis = servers.RedisConnectionString,
                RedisKeyPrefix = redisPrefix,
            }, new SearchOptions());
            silo.Services.AddRseGrainServices(new ConfigurationBuilder().Build());
            configure(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Runs SQL against the engine's database, as an operator or another writer would.</summary>
    public async Task<object?> SqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
