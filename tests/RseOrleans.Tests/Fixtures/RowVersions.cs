using Npgsql;

namespace RseOrleans.Tests.Fixtures;

/// <summary>Which rows of a PostgreSQL table a call wrote: the rows it added, and the rows whose version (xmin) it changed.</summary>
public static class RowVersions
{
    /// <summary>
    /// The keys of the rows <paramref name="call"/> wrote, in order; <paramref name="query"/> selects
    /// each row's key and its <c>xmin</c>, both as text.
    /// </summary>
    public static async Task<string[]> WrittenByAsync(string postgres, string query, Func<Task> call)
    {
        var before = await ReadAsync(postgres, query);
        await call();
        var after = await ReadAsync(postgres, query);
        return [.. after.Where(row => !before.TryGetValue(row.Key, out var version) || version != row.Value).Select(row => row.Key).Order(StringComparer.Ordinal)];
    }

    private static async Task<Dictionary<string, string>> ReadAsync(string postgres, string query)
    {
        await using var database = NpgsqlDataSource.Create(postgres);
        await using var command = database.CreateCommand(query);
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            versions[reader.GetString(0)] = reader.GetString(1);
        }

        return versions;
    }
}
