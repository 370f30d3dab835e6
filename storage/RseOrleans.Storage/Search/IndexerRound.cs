using Npgsql;

namespace RseOrleans.Storage.Search;

/// <summary>
/// A round of one of the search indexers: a transaction holding the advisory lock that makes one
/// silo at a time that indexer, released when the transaction ends.
/// </summary>
internal sealed class IndexerRound(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
{
    public NpgsqlConnection Connection => connection;

    public NpgsqlTransaction Transaction => transaction;

    /// <summary>The round, or null when another silo holds the lock named by <paramref name="lockKey"/>.</summary>
    public static async Task<IndexerRound?> TryBeginAsync(NpgsqlDataSource database, long lockKey, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken);
        var round = new IndexerRound(connection, await connection.BeginTransactionAsync(cancellationToken));
        await using var locking = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({lockKey})", connection, round.Transaction);
        if (await locking.ExecuteScalarAsync(cancellationToken) is true)
        {
            return round;
        }

        await round.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
