using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RseOrleans.Grains;
using RseOrleans.Storage.Maintenance;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Analytics;

/// <summary>
/// Deletes the analytics journal's entries older than <see cref="AnalyticsOptions.JournalRetention"/>,
/// once a day, one silo at a time (<see cref="PeriodicStoreJob"/>). It first moves the journal's
/// horizon (Migrations/0012) to the cut, so that a rebuild keeps the days the deleted entries counted,
/// then deletes in batches of a bounded range of ids, each its own transaction, so that no run holds
/// locks for long.
/// </summary>
public sealed class AnalyticsJournalPruner(
    NpgsqlDataSource database,
    [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker,
    TimeProvider clock,
    IOptions<AnalyticsOptions> options,
    ILogger<AnalyticsJournalPruner> logger) : PeriodicStoreJob(database, breaker, clock, logger)
{
    /// <summary>Ids looked at per delete: a few milliseconds of work, a few megabytes of dead rows.</summary>
    private const int BatchSize = 10_000;

    protected override long LockKey => 0x7273_655F_6A72_6E6C;

    protected override TimeSpan Interval => TimeSpan.FromDays(1);

    protected override string Name => "Analytics journal pruning";

    /// <summary>One run: the entries older than the retention deleted, or nothing when another silo is at it. Returns how many went.</summary>
    public Task<long> PruneAsync(CancellationToken cancellationToken = default) => RunOnceAsync(cancellationToken);

    protected override async Task<long> WorkAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var cut = Clock.GetUtcNow() - options.Value.JournalRetention;

        // The horizon first: were the run cut short, a rebuild still keeps what the journal no longer holds.
        await ScalarAsync(connection, "UPDATE rse_analytics_journal_horizon SET complete_from = greatest(complete_from, $1)", cancellationToken, cut);

        // From the lowest id on, a range at a time: the primary key finds it, whatever the table's size.
        return await DeleteUntilNoneAsync(
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
            BatchSize);
    }
}
