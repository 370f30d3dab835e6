using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Search;

/// <summary>
/// Feeds people and groups to the PostgreSQL search tables from their grains: a trigger queues
/// the owner of every user or group grain state written (rse_search_owners_pending, in the write's
/// own transaction), and each round indexes the queued owners as their grains hold them now, then
/// dequeues them. A row leaves only once its owner is indexed, so a change made while the index
/// was away, or just before its process died, waits in PostgreSQL for the next round of any silo.
/// <see cref="ActivitySearchIndexer"/>'s loop runs the rounds.
/// </summary>
public sealed class OwnerSearchIndexer(
    NpgsqlDataSource database,
    [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker,
    PostgresSearchIndex index,
    OwnerEntries owners)
{
    /// <summary>Names the lock that makes one silo at a time index the owners, so a late write never covers a newer one.</summary>
    private const long IndexerLockKey = 0x7273_655F_6F77_6E72;

    public const int BatchSize = 500;

    /// <summary>Grains read at once, as a rebuild does.</summary>
    private const int Parallelism = 16;

    /// <summary>
    /// One round: the oldest queued owners indexed and dequeued, or nothing when another silo is
    /// at it. Returns how many rows were taken.
    /// </summary>
    public Task<int> IndexPendingAsync(CancellationToken cancellationToken = default) => breaker.RunAsync(async () =>
    {
        // The queue is empty in nearly every round (people and groups change rarely): one look
        // instead of a locked transaction, which the posts round then does not wait behind.
        await using (var anything = database.CreateCommand("SELECT EXISTS (SELECT 1 FROM rse_search_owners_pending)"))
        {
            if (await anything.ExecuteScalarAsync(cancellationToken) is false)
            {
                return 0;
            }
        }

        await using var round = await IndexerRound.TryBeginAsync(database, IndexerLockKey, cancellationToken);
        if (round is null)
        {
            return 0;
        }

        var (connection, transaction) = (round.Connection, round.Transaction);
        var seqs = new List<long>();
        var queued = new HashSet<(string GrainType, string OwnerId)>();
        await using (var reading = new NpgsqlCommand("SELECT seq, grain_type, owner_id FROM rse_search_owners_pending ORDER BY seq LIMIT $1", connection, transaction))
        {
            reading.Parameters.Add(new() { Value = BatchSize });
            await using var reader = await reading.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                seqs.Add(reader.GetInt64(0));
                queued.Add((reader.GetString(1), reader.GetString(2)));
            }
        }

        if (seqs.Count == 0)
        {
            return 0;
        }

        // Read after the rows were: each grain holds at least the state whose write queued it.
        await Parallel.ForEachAsync(queued, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, (owner, cancellation) =>
            new ValueTask(IndexAsync(owner.GrainType, owner.OwnerId, cancellation)));

        // By number, never "up to": a row of a lower number that committed meanwhile was not read.
        await using (var dequeue = new NpgsqlCommand("DELETE FROM rse_search_owners_pending WHERE seq = ANY($1)", connection, transaction))
        {
            dequeue.Parameters.Add(new() { Value = seqs.ToArray() });
            await dequeue.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return seqs.Count;
    });

    private async Task IndexAsync(string grainType, string ownerId, CancellationToken cancellationToken)
    {
        if (grainType == "group")
        {
            await owners.IndexGroupAsync(ownerId, cancellationToken);
        }
        else if (!await owners.IndexPersonAsync(ownerId, cancellationToken))
        {
            // A user grain's state without a profile is an erased account: the person and what they wrote leave.
            await index.RemovePersonAndContentAsync(ownerId, cancellationToken);
        }
    }
}
