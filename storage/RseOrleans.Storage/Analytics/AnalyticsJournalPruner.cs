using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RseOrleans.Grains;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Analytics;

/// <summary>
/// Deletes the analytics journal's entries older than <see cref="AnalyticsOptions.JournalRetention"/>,
/// once a day on every silo, one silo at a time (a PostgreSQL advisory lock held for the run; a silo
/// that finds it taken skips the run). It first moves the journal's horizon (Migrations/0012) to the
/// cut, so that a rebuild keeps the days the deleted entries counted, then deletes in batches of a
/// bounded range of ids, each its own transaction, so that no run holds locks for long.
/// </summary>
public sealed partial class AnalyticsJournalPruner(
    NpgsqlDataSource database,
    [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker,
    TimeProvider clock,
    IOptions<AnalyticsOptions> options,
    ILogger<AnalyticsJournalPruner> logger) : BackgroundService
{
    /// <summary>Names the lock that makes one silo at a time the pruner; any constant shared by all.</summary>
    private const long PrunerLockKey = 0x7273_655F_6A72_6E6C;

    /// <summary>Ids looked at per delete: a few milliseconds of work, a few megabytes of dead rows.</summary>
    private const int BatchSize = 10_000;

    private static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    /// <summary>Not at start: a silo starting has better to do, and a crash loop should not prune each time.</summary>
    private static readonly TimeSpan FirstRunAfter = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(FirstRunAfter, clock, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var deleted = await PruneAsync(stoppingToken);
                    if (deleted > 0)
                    {
                        LogPruned(deleted);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(e);
                }

                await Task.Delay(Interval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One run: the entries older than the retention deleted, or nothing when another silo is at it. Returns how many went.</summary>
    public Task<long> PruneAsync(CancellationToken cancellationToken = default) => breaker.RunAsync(async () =>
    {
        var cut = clock.GetUtcNow() - options.Value.JournalRetention;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (await ScalarAsync(connection, $"SELECT pg_try_advisory_lock({PrunerLockKey})", cancellationToken) is not true)
        {
            return 0L;
        }

        try
        {
            // The horizon first: were the run cut short, a rebuild still keeps what the journal no longer holds.
            await ScalarAsync(connection, "UPDATE rse_analytics_journal_horizon SET complete_from = greatest(complete_from, $1)", cancellationToken, cut);
            long deleted = 0;
            long batch;
            do
            {
                // From the lowest id on, a range at a time: the primary key finds it, whatever the table's size.
                batch = (long)(await ScalarAsync(
                    connection,
                    """
                    WITH gone AS (
                        DELETE FROM rse_analytics_journal
                         WHERE entry_id < (SELECT min(entry_id) FROM rse_analytics_journal) + $2 AND at < $1
                        RETURNING 1)
                    SELECT count(*) FROM gone
                    """,
                    cancellationToken,
                    cut,
                    BatchSize))!;
                deleted += batch;
            }
            while (batch > 0);

            return deleted;
        }
        finally
        {
            await ScalarAsync(connection, $"SELECT pg_advisory_unlock({PrunerLockKey})", CancellationToken.None);
        }
    });

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value is DateTimeOffset at ? at.ToUniversalTime() : value });
        }

        return await command.ExecuteScalarAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Analytics journal pruned: {Deleted} entries older than the retention deleted")]
    private partial void LogPruned(long deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analytics journal pruning failed; the next run, in a day, tries again")]
    private partial void LogFailed(Exception exception);
}
