using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RseOrleans.Storage.Postgres;
using StackExchange.Redis;

namespace RseOrleans.Storage;

/// <summary>Durable mode cannot start: a store is unreachable or misconfigured. The message says which and how to fix it.</summary>
public sealed class DurableStoreUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);

/// <summary>
/// The first thing a durable silo does, before any storage provider or the membership table starts:
/// it checks that PostgreSQL and Redis answer and brings the schema up to date. A silo that cannot
/// reach them refuses to start with a message that names the store, rather than joining a cluster
/// it cannot serve. The engine program runs the check before the host starts, so that a refusal
/// is one line rather than the silo lifecycle's stack traces; the lifecycle then finds it done.
/// </summary>
public sealed partial class DurableStoreStartup(
    NpgsqlDataSource database,
    IConnectionMultiplexer redis,
    SchemaMigrator migrator,
    IOptions<DurableStoreOptions> options,
    ILogger<DurableStoreStartup> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DurableStoreStartup), ServiceLifecycleStage.First, StartAsync);

    private bool ready;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (ready)
        {
            return;
        }

        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new DurableStoreUnavailableException(
                $"PostgreSQL cannot be reached at {Describe(options.Value.Postgres)}: {Sentence(ex.Message)} " +
                "Start it (scripts/dev-servers.sh start, for development) or fix ConnectionStrings:Postgres.", ex);
        }

        if (!redis.IsConnected)
        {
            try
            {
                await redis.GetDatabase().PingAsync();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                throw new DurableStoreUnavailableException(
                    $"Redis cannot be reached at {RedisEndpoints(options.Value.Redis)} ({ex.GetType().Name}). " +
                    "Start it (scripts/dev-servers.sh start, for development) or fix ConnectionStrings:Redis.", ex);
            }
        }

        var applied = await migrator.MigrateAsync(cancellationToken);
        LogReady(applied.Count);
        ready = true;
    }

    private static string Sentence(string text) => text.TrimEnd().EndsWith('.') ? text.TrimEnd() : text.TrimEnd() + ".";

    /// <summary>The endpoints only: a configuration string may hold a password.</summary>
    private static string RedisEndpoints(string configuration) =>
        string.Join(", ", ConfigurationOptions.Parse(configuration).EndPoints.Select(endpoint => endpoint.ToString()));

    /// <summary>Host, port and database only: a connection string may hold a password.</summary>
    private static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL and Redis reached; {Applied} schema migrations applied")]
    private partial void LogReady(int applied);
}
