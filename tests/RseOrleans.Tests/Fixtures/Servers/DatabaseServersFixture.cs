using RseOrleans.TestServers;

namespace RseOrleans.Tests.Fixtures.Servers;

/// <summary>
/// One real PostgreSQL and one real Redis server shared by the test classes of the
/// "Database servers" collection. Each class takes a database of its own from
/// <see cref="CreateDatabaseAsync"/>, so that none sees another's data.
/// </summary>
/// <remarks>
/// The collection's tests run one at a time, so a test may stop a server, as long as it starts it
/// again before it ends.
/// </remarks>
public sealed class DatabaseServersFixture : IAsyncLifetime
{
    public PostgresServer Postgres { get; } = new();

    public RedisServer Redis { get; } = new();

    /// <summary>The database <c>rse</c> (Npgsql format: Host=127.0.0.1;Port=…;Username=postgres;Database=rse;…).</summary>
    public string PostgresConnectionString => Postgres.ConnectionString;

    /// <summary>StackExchange.Redis format: 127.0.0.1:port,abortConnect=false,connectTimeout=2000.</summary>
    public string RedisConnectionString => Redis.ConnectionString;

    /// <summary>
    /// Creates an empty database (replacing any of the same name) and returns its Npgsql connection
    /// string. Use a name per test class, such as <c>nameof(MyTests)</c>.
    /// </summary>
    public Task<string> CreateDatabaseAsync(string name) => Postgres.CreateDatabaseAsync(name);

    public async Task InitializeAsync() => await Task.WhenAll(Postgres.StartAsync(), Redis.StartAsync());

    public async Task DisposeAsync()
    {
        try
        {
            await Postgres.DisposeAsync();
        }
        finally
        {
            await Redis.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DatabaseServersCollection : ICollectionFixture<DatabaseServersFixture>
{
    public const string Name = "Database servers";
}

/// <summary>
/// Servers of their own for the tests that time silo restarts under load: they run once every
/// other collection has finished, so that the suite's own work does not stretch a restart.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DatabaseServersAloneCollection : ICollectionFixture<DatabaseServersFixture>
{
    public const string Name = "Database servers, run alone";
}
