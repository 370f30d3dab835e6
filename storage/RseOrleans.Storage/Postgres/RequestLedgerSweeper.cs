using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RseOrleans.Grains;
using RseOrleans.Storage.Maintenance;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Postgres;

/// <summary>
/// Deletes the request ledger's rows older than <see cref="RequestLedgerOptions.Retention"/>, once an
/// hour, one silo at a time (<see cref="PeriodicStoreJob"/>). A ledger deletes its own forgotten
/// entries with its next write; the rows of a caller who makes no more calls, each holding the answer
/// of a call (a created post's answer holds its text), would otherwise stay for ever. An entry past
/// the retention answers no retry, so a ledger awake in a silo loses nothing it would use.
/// </summary>
public sealed class RequestLedgerSweeper(
    NpgsqlDataSource database,
    [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker,
    TimeProvider clock,
    IOptions<RequestLedgerOptions> options,
    ILogger<RequestLedgerSweeper> logger) : PeriodicStoreJob(database, breaker, clock, logger)
{
    /// <summary>Rows deleted per statement: each its own short transaction.</summary>
    private const int BatchSize = 10_000;

    protected override long LockKey => 0x7273_655F_6C64_6772;

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string Name => "Request ledger sweep";

    protected override async Task<long> WorkAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var cut = Clock.GetUtcNow() - options.Value.Retention;
        // No index on the time: a scan an hour costs less than an index written by every call.
        return await DeleteUntilNoneAsync(
            connection,
            """
            WITH gone AS (
                DELETE FROM rse_request_ledger
                 WHERE ctid = ANY (ARRAY(SELECT ctid FROM rse_request_ledger WHERE at < $1 LIMIT $2))
                RETURNING 1)
            SELECT count(*) FROM gone
            """,
            cancellationToken,
            cut,
            BatchSize);
    }
}
