using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Storage.Search;

namespace RseOrleans.Benchmarks;

/// <summary>Search's queues in a durable engine's PostgreSQL (rse_search_pending, rse_search_owners_pending), as the search benchmarks wait on them.</summary>
internal static class SearchQueues
{
    private const string AnyPending = "SELECT EXISTS (SELECT 1 FROM rse_search_pending) OR EXISTS (SELECT 1 FROM rse_search_owners_pending)";

    /// <summary>
    /// Until the engine's own indexing loop has emptied both queues: what a searcher waits for,
    /// the loop's idle pauses (a quarter of a second) included.
    /// </summary>
    public static async Task WaitUntilEmptyAsync(string connectionString)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        while (await AnyPendingAsync(database))
        {
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Runs the indexers' rounds here until both queues are empty: the work that indexing what was
    /// queued costs, without the loop's idle pause, which a writer never waits for. When the loop
    /// holds a lock its round is under way, and this waits for it.
    /// </summary>
    public static async Task DrainAsync(IServiceProvider engine)
    {
        var owners = engine.GetRequiredService<OwnerSearchIndexer>();
        var activities = engine.GetRequiredService<ActivitySearchIndexer>();
        var database = engine.GetRequiredService<NpgsqlDataSource>();
        while (true)
        {
            var taken = await owners.IndexPendingAsync() + await activities.IndexPendingAsync();
            if (taken == 0)
            {
                if (!await AnyPendingAsync(database))
                {
                    return;
                }

                await Task.Delay(1);
            }
        }
    }

    private static async Task<bool> AnyPendingAsync(NpgsqlDataSource database)
    {
        await using var pending = database.CreateCommand(AnyPending);
        return (bool)(await pending.ExecuteScalarAsync())!;
    }
}
