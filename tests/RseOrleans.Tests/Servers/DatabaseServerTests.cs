using System.Diagnostics;
using Npgsql;
using RseOrleans.Tests.Fixtures.Servers;
using StackExchange.Redis;

using RseOrleans.TestServers;

namespace RseOrleans.Tests.Servers;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task Data_written_to_postgres_survives_a_stop_and_start_of_the_server()
    {
        await using var server = new PostgresServer();
        await server.StartAsync();
        await using (var before = NpgsqlDataSource.Create(server.ConnectionString))
        {
            await ExecuteAsync(before, "CREATE TABLE feeds (owner text PRIMARY KEY, posts int NOT NULL)");
            await ExecuteAsync(before, "INSERT INTO feeds VALUES ('alice', 3)");
        }

        await server.StopAsync();
        await server.StartAsync();

        await using var after = NpgsqlDataSource.Create(server.ConnectionString);
        Assert.Equal(3, await QueryAsync<int>(after, "SELECT posts FROM feeds WHERE owner = 'alice'"));
    }

    [Fact]
    public async Task Queries_against_a_stopped_server_fail_fast_and_succeed_once_it_is_back()
    {
        await using var server = new PostgresServer();
        await server.StartAsync();
        await using var client = NpgsqlDataSource.Create(server.ConnectionString);
        Assert.Equal(1, await QueryAsync<int>(client, "SELECT 1"));
        var port = server.Port;

        await server.StopAsync();
        // First on the pooled connection the server closed, then on a new one it refuses.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => QueryAsync<int>(client, "SELECT 1"));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The query took {clock.Elapsed} to fail.");
        }

        await server.StartAsync();
        Assert.Equal(port, server.Port);
        Assert.Equal(1, await QueryAsync<int>(client, "SELECT 1"));
    }

    [Fact]
    public async Task Disposing_the_server_stops_it_and_removes_its_folder()
    {
        var server = new PostgresServer();
        await server.StartAsync();
        var folder = server.Folder;

        await server.DisposeAsync();

        Assert.False(Directory.Exists(folder));
        await using var client = NpgsqlDataSource.Create(server.ConnectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => QueryAsync<int>(client, "SELECT 1"));
    }

    internal static async Task ExecuteAsync(NpgsqlDataSource database, string sql)
    {
        await using var command = database.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<T> QueryAsync<T>(NpgsqlDataSource database, string sql)
    {
        await using var command = database.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

public sealed class RedisServerTests
{
    [Fact]
    public async Task Flushing_redis_empties_every_database()
    {
        await using var server = new RedisServer();
        await server.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        await redis.GetDatabase().StringSetAsync("membership", "silo-1");
        await redis.GetDatabase(3).StringSetAsync("other", "value");

        await server.FlushAllAsync();

        Assert.False(await redis.GetDatabase().KeyExistsAsync("membership"));
        Assert.False(await redis.GetDatabase(3).KeyExistsAsync("other"));
    }

    [Fact]
    public async Task Redis_stops_and_starts_again_on_the_same_port_and_a_client_reconnects()
    {
        await using var server = new RedisServer();
        await server.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var database = redis.GetDatabase();
        await database.StringSetAsync("membership", "silo-1");
        var port = server.Port;

        await server.StopAsync();
        var failure = await Record.ExceptionAsync(() => database.PingAsync());
        Assert.True(failure is RedisConnectionException or RedisTimeoutException, $"Expected a connection failure, got {failure}");

        await server.StartAsync();
        Assert.Equal(port, server.Port);
        // The client reconnects by itself, to a server that kept its data.
        var clock = Stopwatch.StartNew();
        while (!redis.IsConnected && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        Assert.Equal("silo-1", await database.StringGetAsync("membership"));
        await database.StringSetAsync("membership", "silo-2");
        Assert.Equal("silo-2", await database.StringGetAsync("membership"));
    }
}

[Collection(DatabaseServersCollection.Name)]
public sealed class DatabaseServersFixtureTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Durable_mode_finds_the_database_rse_and_redis_on_the_fixtures_connection_strings()
    {
        Assert.StartsWith($"Host=127.0.0.1;Port={servers.Postgres.Port};Username=postgres;Database=rse;", servers.PostgresConnectionString, StringComparison.Ordinal);
        Assert.StartsWith($"127.0.0.1:{servers.Redis.Port},abortConnect=false,", servers.RedisConnectionString, StringComparison.Ordinal);
        await using var postgres = NpgsqlDataSource.Create(servers.PostgresConnectionString);
        Assert.Equal("rse", await PostgresServerTests.QueryAsync<string>(postgres, "SELECT current_database()"));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(servers.RedisConnectionString);
        await redis.GetDatabase().PingAsync();
    }

    [Fact]
    public async Task Each_test_class_gets_an_empty_database_of_its_own()
    {
        var mine = await servers.CreateDatabaseAsync("Fixture tests: mine");
        var theirs = await servers.CreateDatabaseAsync("Fixture tests: theirs");
        await ExecuteAsync(mine, "CREATE TABLE posts (id bigint PRIMARY KEY)");
        await ExecuteAsync(mine, "INSERT INTO posts VALUES (1)");

        Assert.Equal(0, await TableCountAsync(theirs));
        // Created again, as by the next run of the class, it is empty.
        Assert.Equal(mine, await servers.CreateDatabaseAsync("Fixture tests: mine"));
        Assert.Equal(0, await TableCountAsync(mine));
    }

    // Through Npgsql's shared pool, as most code opens connections.
    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> TableCountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
