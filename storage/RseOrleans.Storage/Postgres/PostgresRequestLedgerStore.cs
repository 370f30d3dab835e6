using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Postgres;

/// <summary>Request ledgers as one PostgreSQL row per (caller, request) (schema: Migrations/0016).</summary>
/// <remarks>Every operation goes through the PostgreSQL <see cref="StoreBreaker"/>.</remarks>
public sealed class PostgresRequestLedgerStore(NpgsqlDataSource database, [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker) : IRequestLedgerStore
{
    public Task<StoredLedger> LoadAsync(string caller) => breaker.RunAsync(async () =>
    {
        var entries = new Dictionary<ulong, LedgerEntry>();
        await using var command = database.CreateCommand("SELECT request, fingerprint, at, response FROM rse_request_ledger WHERE caller = $1");
        command.Parameters.Add(new() { Value = caller });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries[unchecked((ulong)reader.GetInt64(0))] = new LedgerEntry(
                unchecked((ulong)reader.GetInt64(1)),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3));
        }

        return new StoredLedger(caller, entries, version: null);
    });

    // One statement, so one transaction: the changes are written all or none.
    public Task WriteAsync(StoredLedger ledger, IReadOnlyCollection<ulong> changed) => changed.Count == 0 ? Task.CompletedTask : breaker.RunAsync(async () =>
    {
        var kept = new List<KeyValuePair<ulong, LedgerEntry>>(changed.Count);
        var removed = new List<long>();
        foreach (var request in changed)
        {
            if (ledger.Entries.TryGetValue(request, out var entry))
            {
                kept.Add(new(request, entry));
            }
            else
            {
                removed.Add(unchecked((long)request));
            }
        }

        // The two parts touch different requests. A row is only replaced by a later one: a write
        // of a ledger activation that has gone, taken late by a server that hung, changes nothing.
        await using var command = database.CreateCommand(
            """
            WITH removed AS (
                DELETE FROM rse_request_ledger WHERE caller = $1 AND request = ANY($2)
            )
            INSERT INTO rse_request_ledger (caller, request, fingerprint, at, response)
            SELECT $1, * FROM unnest($3::bigint[], $4::bigint[], $5::timestamptz[], $6::bytea[])
            ON CONFLICT (caller, request) DO UPDATE
               SET fingerprint = excluded.fingerprint, at = excluded.at, response = excluded.response
             WHERE rse_request_ledger.at <= excluded.at
            """);
        command.Parameters.Add(new() { Value = ledger.Caller });
        command.Parameters.Add(new() { Value = removed.ToArray() });
        command.Parameters.Add(new() { Value = kept.Select(pair => unchecked((long)pair.Key)).ToArray() });
        command.Parameters.Add(new() { Value = kept.Select(pair => unchecked((long)pair.Value.Fingerprint)).ToArray() });
        command.Parameters.Add(new() { Value = kept.Select(pair => pair.Value.At).ToArray() });
        command.Parameters.Add(new() { Value = kept.Select(pair => pair.Value.Response).ToArray() });
        await command.ExecuteNonQueryAsync();
    });
}
