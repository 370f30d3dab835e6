using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RseOrleans.Storage.Postgres;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class SchemaTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Silos_starting_together_apply_each_migration_once_and_a_second_run_changes_nothing()
    {
        var stores = await DurableStores.CreateAsync(servers, "schema");
        var sources = Enumerable.Range(0, 3).Select(_ => NpgsqlDataSource.Create(stores.Postgres)).ToArray();
        try
        {
            var migrators = sources.Select(source => new SchemaMigrator(source, NullLogger<SchemaMigrator>.Instance)).ToArray();

            var applied = await Task.WhenAll(migrators.Select(migrator => migrator.MigrateAsync()));

            Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), applied.SelectMany(versions => versions).Order());
            Assert.Empty(await migrators[0].MigrateAsync());
            Assert.Equal((long)SchemaMigrator.Migrations.Count, await stores.SqlAsync("SELECT count(*) FROM rse_schema_version"));
            Assert.Equal(3L, await stores.SqlAsync(
                "SELECT count(*) FROM OrleansQuery WHERE QueryKey IN ('ReadFromStorageKey', 'WriteToStorageKey', 'ClearStorageKey')"));
        }
        finally
        {
            foreach (var source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }
}
