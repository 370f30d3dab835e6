using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage;

/// <summary>
/// Where durable mode keeps its data. The connection strings come from the "ConnectionStrings"
/// section (or the environment: ConnectionStrings__Postgres, ConnectionStrings__Redis).
/// </summary>
public sealed class DurableStoreOptions
{
    /// <summary>Npgsql connection string of the PostgreSQL database holding grain state and the activity log.</summary>
    public string Postgres { get; set; } = "";

    /// <summary>StackExchange.Redis configuration string of the Redis holding membership and timelines.</summary>
    public string Redis { get; set; } = "";

    /// <summary>Prefix of every key this engine writes to Redis, so several clusters can share one server.</summary>
    public string RedisKeyPrefix { get; set; } = "rse:";

    /// <summary>How the PostgreSQL and Redis circuit breakers probe their store ("Durable:Breaker:…").</summary>
    public StoreBreakerOptions Breaker { get; set; } = new();
}
