using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Grains.Durability;
using RseOrleans.Model;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Postgres;

/// <summary>Member sets as one PostgreSQL row per member (schema: Migrations/0003).</summary>
/// <remarks>Every operation goes through the PostgreSQL <see cref="StoreBreaker"/>.</remarks>
public sealed class PostgresMemberSetStore(NpgsqlDataSource database, [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker) : IMemberSetStore
{
    public Task<StoredMemberSet> LoadAsync(string setKey) => breaker.RunAsync<StoredMemberSet>(async () =>
    {
        var members = new Dictionary<string, GroupMember>(StringComparer.Ordinal);
        await using var command = database.CreateCommand("SELECT member_id, role, since FROM rse_member_rows WHERE set_key = $1");
        command.Parameters.Add(new() { Value = setKey });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var memberId = reader.GetString(0);
            members[memberId] = new GroupMember(memberId, (GroupRole)reader.GetInt16(1), reader.GetFieldValue<DateTimeOffset>(2));
        }

        return new StoredMemberSet(setKey, members, version: null);
    });

    public Task WriteAsync(StoredMemberSet set, IReadOnlyCollection<string> changed) => breaker.RunAsync(async () =>
    {
        var upserts = new List<GroupMember>(changed.Count);
        var deletes = new List<string>();
        foreach (var memberId in changed)
        {
            if (set.Members.TryGetValue(memberId, out var member))
            {
                upserts.Add(member);
            }
            else
            {
                deletes.Add(memberId);
            }
        }

        // One round trip and one transaction (a batch is one implicit transaction) for all the changes.
        await using var batch = database.CreateBatch();
        if (upserts.Count > 0)
        {
            var upsert = new NpgsqlBatchCommand(
                """
                INSERT INTO rse_member_rows (set_key, member_id, role, since)
                SELECT $1, * FROM unnest($2::text[], $3::smallint[], $4::timestamptz[])
                ON CONFLICT (set_key, member_id) DO UPDATE SET role = excluded.role, since = excluded.since
                """);
            upsert.Parameters.Add(new() { Value = set.SetKey });
            upsert.Parameters.Add(new() { Value = upserts.Select(member => member.UserId).ToArray() });
            upsert.Parameters.Add(new() { Value = upserts.Select(member => (short)member.Role).ToArray() });
            upsert.Parameters.Add(new() { Value = upserts.Select(member => member.JoinedAt).ToArray() });
            batch.BatchCommands.Add(upsert);
        }

        if (deletes.Count > 0)
        {
            var delete = new NpgsqlBatchCommand("DELETE FROM rse_member_rows WHERE set_key = $1 AND member_id = ANY($2)");
            delete.Parameters.Add(new() { Value = set.SetKey });
            delete.Parameters.Add(new() { Value = deletes.ToArray() });
            batch.BatchCommands.Add(delete);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync();
        }
    });
}
