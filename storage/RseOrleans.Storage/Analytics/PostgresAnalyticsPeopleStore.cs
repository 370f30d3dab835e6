using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Grains.Analytics;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Analytics;

/// <summary>The analytics people as one PostgreSQL row per number (schema: Migrations/0014).</summary>
/// <remarks>Every operation goes through the PostgreSQL <see cref="StoreBreaker"/>.</remarks>
public sealed class PostgresAnalyticsPeopleStore(NpgsqlDataSource database, [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker) : IAnalyticsPeopleStore
{
    public Task<IReadOnlyList<PersonRow>> LoadAsync() => breaker.RunAsync<IReadOnlyList<PersonRow>>(async () =>
    {
        var rows = new List<PersonRow>();
        await using var command = database.CreateCommand(
            "SELECT number, user_id, department, location, region, activated, placed FROM rse_analytics_people ORDER BY number");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new PersonRow(
                reader.GetInt32(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetBoolean(5),
                reader.GetBoolean(6)));
        }

        return rows;
    });

    // One statement, so one transaction: the rows are written all or none.
    public Task WriteAsync(IReadOnlyList<PersonRow> rows) => rows.Count == 0 ? Task.CompletedTask : breaker.RunAsync(async () =>
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO rse_analytics_people (number, user_id, department, location, region, activated, placed)
            SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::boolean[])
            ON CONFLICT (number) DO UPDATE
               SET user_id = excluded.user_id, department = excluded.department, location = excluded.location,
                   region = excluded.region, activated = excluded.activated, placed = excluded.placed
            """);
        command.Parameters.Add(new() { Value = rows.Select(row => row.Number).ToArray() });
        command.Parameters.Add(new() { Value = rows.Select(row => row.UserId).ToArray() });
        command.Parameters.Add(new() { Value = rows.Select(row => row.Department).ToArray() });
        command.Parameters.Add(new() { Value = rows.Select(row => row.Location).ToArray() });
        command.Parameters.Add(new() { Value = rows.Select(row => row.Region).ToArray() });
        command.Parameters.Add(new() { Value = rows.Select(row => row.Activated).ToArray() });
        command.Parameters.Add(new() { Value = rows.Select(row => row.Placed).ToArray() });
        await command.ExecuteNonQueryAsync();
    });
}
