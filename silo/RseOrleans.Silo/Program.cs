using Npgsql;
using RseOrleans.Silo;
using RseOrleans.Storage;
using RseOrleans.Storage.Postgres;

// "migrate": bring the durable-mode database schema up to date, then exit.
var migrateOnly = args is ["migrate", ..];
try
{
    var app = RseHost.Build(migrateOnly ? args[1..] : args);
    if (!migrateOnly)
    {
        // Before the host starts: an unreachable store is then one clear line, not a failed start.
        if (app.Services.GetService<DurableStoreStartup>() is { } stores)
        {
            await stores.StartAsync(CancellationToken.None);
        }

        await app.RunAsync();
        return 0;
    }

    var migrator = app.Services.GetService<SchemaMigrator>()
        ?? throw new DurableStoreUnavailableException("migrate needs durable mode: set Engine:Mode=Durable and the connection strings.");
    var applied = await migrator.MigrateAsync();
    Console.WriteLine(applied.Count == 0 ? "The schema is up to date." : $"Applied migrations {string.Join(", ", applied)}.");
    return 0;
}
catch (Exception ex) when (ex is DurableStoreUnavailableException or NpgsqlException)
{
    await Console.Error.WriteLineAsync($"rse: durable mode cannot start: {ex.Message}");
    return 1;
}
