using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using RseOrleans.Grains.Durability;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Postgres;

/// <summary>The activity log and the pending fan-outs in PostgreSQL (schema: Migrations/0002).</summary>
/// <remarks>Every operation goes through the PostgreSQL <see cref="StoreBreaker"/>.</remarks>
public sealed class PostgresActivityLog(NpgsqlDataSource database, [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker) : IActivityLog
{
    public Task AppendAsync(Activity activity, bool fanoutPending = false) => breaker.RunAsync(async () =>
    {
        // One round trip: the activity and, for a post about to fan out, its pending mark, both
        // ignored when already there.
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Command(
            """
            INSERT INTO rse_activity (activity_id, kind, post_id, source_key, actor_id, body, occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT DO NOTHING
            """,
            activity.ActivityId,
            (short)activity.Kind,
            activity.PostId,
            activity.SourceKey,
            activity.ActorId,
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)activity.Body ?? DBNull.Value },
            activity.OccurredAt));
        if (fanoutPending)
        {
            batch.BatchCommands.Add(Command(
                "INSERT INTO rse_fanout_pending (post_id, source_key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                activity.PostId,
                activity.SourceKey));
        }

        await batch.ExecuteNonQueryAsync();
    });

    public Task AppendAllAsync(IReadOnlyList<Activity> activities, bool fanoutPending = false) => breaker.RunAsync(async () =>
    {
        if (activities.Count == 0)
        {
            return;
        }

        // One round trip and one statement per table however many activities: each column goes as
        // an array and unnest turns them back into rows. ON CONFLICT keeps a repeated append a no-op.
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Command(
            """
            INSERT INTO rse_activity (activity_id, kind, post_id, source_key, actor_id, body, occurred_at)
            SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
            ON CONFLICT DO NOTHING
            """,
            activities.Select(activity => activity.ActivityId).ToArray(),
            activities.Select(activity => (short)activity.Kind).ToArray(),
            activities.Select(activity => activity.PostId).ToArray(),
            activities.Select(activity => activity.SourceKey).ToArray(),
            activities.Select(activity => activity.ActorId).ToArray(),
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = activities.Select(activity => activity.Body).ToArray() },
            activities.Select(activity => activity.OccurredAt).ToArray()));
        if (fanoutPending)
        {
            batch.BatchCommands.Add(Command(
                """
                INSERT INTO rse_fanout_pending (post_id, source_key)
                SELECT * FROM unnest($1::bigint[], $2::text[])
                ON CONFLICT DO NOTHING
                """,
                activities.Select(activity => activity.PostId).ToArray(),
                activities.Select(activity => activity.SourceKey).ToArray()));
        }

        await batch.ExecuteNonQueryAsync();
    });

    public Task FanoutsCompletedAsync(IReadOnlyCollection<long> postIds) => breaker.RunAsync(async () =>
    {
        if (postIds.Count == 0)
        {
            return;
        }

        await using var command = database.CreateCommand("DELETE FROM rse_fanout_pending WHERE post_id = ANY($1)");
        command.Parameters.Add(new() { Value = postIds.ToArray() });
        await command.ExecuteNonQueryAsync();
    });

    public Task EraseActorAsync(string userId) => breaker.RunAsync(async () =>
    {
        await using var command = database.CreateCommand("DELETE FROM rse_activity WHERE actor_id = $1");
        command.Parameters.Add(new() { Value = userId });
        await command.ExecuteNonQueryAsync();
    });

    public Task<IReadOnlyList<PendingFanout>> PendingFanoutsAsync(TimeSpan olderThan, int max) => breaker.RunAsync<IReadOnlyList<PendingFanout>>(async () =>
    {
        await using var command = database.CreateCommand(
            """
            SELECT source_key, post_id FROM rse_fanout_pending
             WHERE created_at < now() - $1
             ORDER BY created_at
             LIMIT $2
            """);
        command.Parameters.Add(new() { Value = olderThan });
        command.Parameters.Add(new() { Value = max });
        await using var reader = await command.ExecuteReaderAsync();
        var pending = new List<PendingFanout>();
        while (await reader.ReadAsync())
        {
            pending.Add(new PendingFanout(reader.GetString(0), reader.GetInt64(1)));
        }

        return pending;
    });

    public Task<IReadOnlyList<long>> PostsOfAsync(string sourceKey, long? before, int count) => breaker.RunAsync<IReadOnlyList<long>>(async () =>
    {
        await using var command = database.CreateCommand(
            """
            SELECT p.post_id FROM rse_activity p
             WHERE p.kind = 1 AND p.source_key = $1 AND p.post_id < $2
               AND NOT EXISTS (SELECT 1 FROM rse_activity d WHERE d.post_id = p.post_id AND d.kind = 3)
             ORDER BY p.post_id DESC
             LIMIT $3
            """);
        command.Parameters.Add(new() { Value = sourceKey });
        command.Parameters.Add(new() { Value = before ?? long.MaxValue });
        command.Parameters.Add(new() { Value = count });
        await using var reader = await command.ExecuteReaderAsync();
        var posts = new List<long>(count);
        while (await reader.ReadAsync())
        {
            posts.Add(reader.GetInt64(0));
        }

        return posts;
    });

    public Task<IReadOnlyList<SourcePost>> NewestPostsOfAsync(IReadOnlyCollection<string> sourceKeys, long? after, int count) => breaker.RunAsync<IReadOnlyList<SourcePost>>(async () =>
    {
        if (sourceKeys.Count == 0)
        {
            return [];
        }

        // Per source, a short walk down its index (LATERAL ... LIMIT); then the newest of them all.
        // Hundreds of sources cost hundreds of index probes, never a scan of the log.
        await using var command = database.CreateCommand(
            """
            SELECT newest.source_key, newest.post_id
              FROM unnest($1::text[]) AS followed(source_key)
             CROSS JOIN LATERAL (
                   SELECT p.source_key, p.post_id FROM rse_activity p
                    WHERE p.kind = 1 AND p.source_key = followed.source_key AND p.post_id > $2
                      AND NOT EXISTS (SELECT 1 FROM rse_activity d WHERE d.post_id = p.post_id AND d.kind = 3)
                    ORDER BY p.post_id DESC
                    LIMIT $3) AS newest
             ORDER BY newest.post_id DESC
             LIMIT $3
            """);
        command.Parameters.Add(new() { Value = sourceKeys.ToArray() });
        command.Parameters.Add(new() { Value = after ?? long.MinValue });
        command.Parameters.Add(new() { Value = count });
        await using var reader = await command.ExecuteReaderAsync();
        var posts = new List<SourcePost>(count);
        while (await reader.ReadAsync())
        {
            posts.Add(new SourcePost(reader.GetString(0), reader.GetInt64(1)));
        }

        return posts;
    });

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
