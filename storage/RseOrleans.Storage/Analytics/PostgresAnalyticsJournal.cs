using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using RseOrleans.Model;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Analytics;

/// <summary>The analytics journal in PostgreSQL (schema: Migrations/0009), behind the PostgreSQL <see cref="StoreBreaker"/>.</summary>
public sealed class PostgresAnalyticsJournal(NpgsqlDataSource database, [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker) : IAnalyticsJournal
{
    public Task<long> AppendAsync(IReadOnlyList<AnalyticsEntry> entries) => breaker.RunAsync(async () =>
    {
        if (entries.Count == 0)
        {
            return 0L;
        }

        // One statement however many entries: each column goes as an array, unnest turns them back
        // into rows, and the ordinality keeps the flush's order in the ids the rows are given. The
        // flush's number is drawn once (a CTE is evaluated once) and returned for its batches.
        await using var command = database.CreateCommand(
            """
            WITH flush AS (SELECT nextval('rse_analytics_flush_seq') AS id),
                 appended AS (
                     INSERT INTO rse_analytics_journal (flush_id, at, post_id, person, count, kind, group_id, readers)
                     SELECT flush.id, at, post_id, person, count, kind, group_id, readers
                       FROM flush, unnest($1::timestamptz[], $2::bigint[], $3::integer[], $4::integer[], $5::smallint[], $6::text[], $7::bytea[])
                            WITH ORDINALITY AS entry (at, post_id, person, count, kind, group_id, readers, position)
                      ORDER BY position)
            SELECT id FROM flush
            """);
        command.Parameters.Add(Array(NpgsqlDbType.TimestampTz, entries.Select(entry => entry.At.ToUniversalTime()).ToArray()));
        command.Parameters.Add(Array(NpgsqlDbType.Bigint, entries.Select(entry => entry.Kind == AnalyticsEntryKind.Members ? null : (long?)entry.PostId).ToArray()));
        command.Parameters.Add(Array(NpgsqlDbType.Integer, entries.Select(entry => entry.Act is null ? null : (int?)entry.Person).ToArray()));
        command.Parameters.Add(Array(NpgsqlDbType.Integer, entries.Select(entry => entry.Count).ToArray()));
        command.Parameters.Add(Array(NpgsqlDbType.Smallint, entries.Select(entry => (short)entry.Kind).ToArray()));
        command.Parameters.Add(Array(NpgsqlDbType.Text, entries.Select(entry => entry.GroupId).ToArray()));
        command.Parameters.Add(Array(NpgsqlDbType.Bytea, entries.Select(entry => entry.Readers.Length == 0 ? null : entry.Readers).ToArray()));
        return (long)(await command.ExecuteScalarAsync())!;
    });

    public Task KeepBeforeAsync(DateTimeOffset until) => breaker.RunAsync(async () =>
    {
        await using var command = database.CreateCommand(
            "UPDATE rse_analytics_journal_horizon SET complete_from = greatest(complete_from, $1)");
        command.Parameters.Add(new() { Value = until.ToUniversalTime() });
        await command.ExecuteNonQueryAsync();
    });

    /// <summary>From when the journal holds every fact (Migrations/0012); <see cref="DateTimeOffset.MinValue"/> for always.</summary>
    public Task<DateTimeOffset> CompleteFromAsync(CancellationToken cancellationToken) => breaker.RunAsync(async () =>
    {
        await using var command = database.CreateCommand(
            "SELECT CASE WHEN complete_from = '-infinity' THEN NULL ELSE complete_from END FROM rse_analytics_journal_horizon");
        var from = await command.ExecuteScalarAsync(cancellationToken);
        return from is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
    });

    /// <summary>The posts created from <paramref name="from"/> on, up to entry <paramref name="last"/>: those whose whole life the journal holds.</summary>
    public Task<HashSet<long>> PostsCreatedAsync(DateTimeOffset from, long last, CancellationToken cancellationToken) => breaker.RunAsync(async () =>
    {
        await using var command = database.CreateCommand(
            "SELECT post_id FROM rse_analytics_journal WHERE kind = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND entry_id <= $3");
        command.Parameters.Add(new() { Value = (short)AnalyticsEntryKind.Post });
        command.Parameters.Add(new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = from == DateTimeOffset.MinValue ? DBNull.Value : from.ToUniversalTime() });
        command.Parameters.Add(new() { Value = last });
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var posts = new HashSet<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            posts.Add(reader.GetInt64(0));
        }

        return posts;
    });

    /// <summary>The last entry's id (0 when empty) and the first entry's time: what a rebuild replays.</summary>
    public Task<(long Last, DateTimeOffset? Since)> ExtentAsync(CancellationToken cancellationToken) => breaker.RunAsync(async () =>
    {
        await using var command = database.CreateCommand(
            """
            SELECT (SELECT coalesce(max(entry_id), 0) FROM rse_analytics_journal),
                   (SELECT at FROM rse_analytics_journal ORDER BY entry_id LIMIT 1)
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(1));
    });

    /// <summary>
    /// The entries of the whole flushes numbered after <paramref name="after"/>, in order, up to
    /// <paramref name="flushes"/> flushes and no more flushes once <paramref name="entries"/> entries
    /// are reached (at least one), each with its flush's number (an entry from before flushes were
    /// numbered stands for its own).
    /// </summary>
    public Task<List<(long Flush, AnalyticsEntry Entry)>> ReadAsync(long after, int flushes, int entries, CancellationToken cancellationToken) => breaker.RunAsync(async () =>
    {
        await using var command = database.CreateCommand(
            """
            WITH flushes AS (
                SELECT coalesce(flush_id, entry_id) AS flush, count(*) AS entries
                  FROM rse_analytics_journal
                 WHERE coalesce(flush_id, entry_id) > $1
                 GROUP BY 1
                 ORDER BY 1
                 LIMIT $2),
                 page AS (
                SELECT flush FROM (SELECT flush, sum(entries) OVER (ORDER BY flush) - entries AS before FROM flushes) counted
                 WHERE before < $3)
            SELECT page.flush, at, post_id, person, count, kind, group_id, readers
              FROM page
              JOIN rse_analytics_journal entry ON coalesce(entry.flush_id, entry.entry_id) = page.flush
             ORDER BY page.flush, entry.entry_id
            """);
        command.Parameters.Add(new() { Value = after });
        command.Parameters.Add(new() { Value = flushes });
        command.Parameters.Add(new() { Value = (long)entries });
        return await ReadEntriesAsync(command, cancellationToken);
    });

    /// <summary>
    /// The entries of the flushes numbered within <paramref name="gaps"/> (each between two numbers,
    /// both excluded), in order: the flushes a replay did not see where it read.
    /// </summary>
    public Task<List<(long Flush, AnalyticsEntry Entry)>> ReadWithinAsync(IReadOnlyList<(long After, long Before)> gaps, CancellationToken cancellationToken) => breaker.RunAsync(async () =>
    {
        if (gaps.Count == 0)
        {
            return [];
        }

        await using var command = database.CreateCommand(
            """
            SELECT coalesce(entry.flush_id, entry.entry_id), at, post_id, person, count, kind, group_id, readers
              FROM unnest($1::bigint[], $2::bigint[]) AS gap (after, before)
              JOIN rse_analytics_journal entry
                ON coalesce(entry.flush_id, entry.entry_id) > gap.after AND coalesce(entry.flush_id, entry.entry_id) < gap.before
             ORDER BY 1, entry.entry_id
            """);
        command.Parameters.Add(Array(NpgsqlDbType.Bigint, gaps.Select(gap => gap.After).ToArray()));
        command.Parameters.Add(Array(NpgsqlDbType.Bigint, gaps.Select(gap => gap.Before).ToArray()));
        return await ReadEntriesAsync(command, cancellationToken);
    });

    /// <summary>Rows of (flush, at, post_id, person, count, kind, group_id, readers).</summary>
    private static async Task<List<(long Flush, AnalyticsEntry Entry)>> ReadEntriesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var page = new List<(long, AnalyticsEntry)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add((reader.GetInt64(0), new AnalyticsEntry((AnalyticsEntryKind)reader.GetInt16(5), reader.GetFieldValue<DateTimeOffset>(1))
            {
                PostId = reader.IsDBNull(2) ? 0 : reader.GetInt64(2),
                Person = reader.IsDBNull(3) ? -1 : reader.GetInt32(3),
                Count = reader.GetInt32(4),
                GroupId = reader.IsDBNull(6) ? null : reader.GetString(6),
                Readers = reader.IsDBNull(7) ? [] : reader.GetFieldValue<byte[]>(7),
            }));
        }

        return page;
    }

    private static NpgsqlParameter Array(NpgsqlDbType type, object values) => new() { NpgsqlDbType = NpgsqlDbType.Array | type, Value = values };
}
