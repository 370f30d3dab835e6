using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Search;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Search;

/// <summary>
/// Rebuilds the PostgreSQL search tables from their owners: every person and group from its grain
/// (the ones with a saved state), and the posts and comments by replaying the whole activity log
/// through the indexer. Answers once all of it is indexed. Meanwhile searches see a partial index.
/// </summary>
public sealed class PostgresSearchRebuild(
    NpgsqlDataSource database,
    [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker,
    PostgresSearchIndex index,
    ActivitySearchIndexer indexer,
    OwnerEntries owners) : ISearchRebuild
{
    /// <summary>Grains read at once: enough to hide the round trips, few enough to leave the cluster its work.</summary>
    private const int Parallelism = 16;

    public async Task<SearchRebuildReport> RebuildAsync(CancellationToken cancellationToken = default)
    {
        var people = 0;
        var groups = 0;
        await index.RunAsync(async () =>
        {
            await using var command = database.CreateCommand("TRUNCATE rse_search_people, rse_search_groups");
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        // An erased account keeps a state without a profile: it stays out.
        await Parallel.ForEachAsync(await SavedGrainsAsync("user", cancellationToken), options, async (userId, cancellation) =>
        {
            if (await owners.IndexPersonAsync(userId, cancellation))
            {
                Interlocked.Increment(ref people);
            }
        });

        await Parallel.ForEachAsync(await SavedGrainsAsync("group", cancellationToken), options, async (groupId, cancellation) =>
        {
            if (await owners.IndexGroupAsync(groupId, cancellation))
            {
                Interlocked.Increment(ref groups);
            }
        });

        // After the people: a post's language comes from its author's profile.
        var activities = await index.RunAsync(() => indexer.RequeueAllAsync(cancellationToken), cancellationToken);
        while (await index.RunAsync(() => PendingAsync(cancellationToken), cancellationToken) > 0)
        {
            // Another silo's indexer may hold the lock: then it does the work and this one waits.
            if (await index.RunAsync(() => indexer.IndexPendingAsync(cancellationToken), cancellationToken) == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }

        return new SearchRebuildReport(people, groups, activities);
    }

    private Task<List<string>> SavedGrainsAsync(string grainType, CancellationToken cancellationToken) => breaker.RunAsync(async () =>
    {
        await using var command = database.CreateCommand(
            "SELECT grain_id_extension FROM rse_grain_state WHERE grain_type = $1 AND payload IS NOT NULL AND grain_id_extension IS NOT NULL");
        command.Parameters.Add(new() { Value = grainType });
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    });

    private async Task<long> PendingAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM rse_search_pending");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
