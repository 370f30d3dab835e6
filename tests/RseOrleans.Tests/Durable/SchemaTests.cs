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

    [Fact]
    public async Task Upgrading_to_numbered_analytics_deletes_the_rows_that_kept_every_accounts_id()
    {
        var stores = await DurableStores.CreateAsync(servers, "schema-analytics");
        await using var source = NpgsqlDataSource.Create(stores.Postgres);
        var migrator = new SchemaMigrator(source, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync();
        // A database as migration 7 left it, with the rows the grains before the numbering wrote.
        await stores.SqlAsync(
            """
            WITH written AS (
                INSERT INTO rse_grain_state (service_id, grain_type, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, payload, version)
                SELECT 'rse', kind, 0, 0, 0, 0, convert_to('erased-person', 'UTF8'), 1
                  FROM unnest(ARRAY['analytics-accounts', 'analytics-account-places', 'analytics-people']) AS kind
                RETURNING 1),
            forgotten AS (DELETE FROM rse_schema_version WHERE version = 8 RETURNING 1)
            SELECT (SELECT count(*) FROM written) + (SELECT count(*) FROM forgotten)
            """);

        Assert.Equal([8], await migrator.MigrateAsync());

        Assert.Equal(1L, await stores.SqlAsync("SELECT count(*) FROM rse_grain_state WHERE grain_type LIKE 'analytics-%'"));
        Assert.Equal(1L, await stores.SqlAsync("SELECT count(*) FROM rse_grain_state WHERE grain_type = 'analytics-people'"));
    }

    [Fact]
    public async Task Upgrading_to_the_analytics_journal_adds_its_table()
    {
        var stores = await DurableStores.CreateAsync(servers, "schema-journal");
        await using var source = NpgsqlDataSource.Create(stores.Postgres);
        var migrator = new SchemaMigrator(source, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync();
        // A database as migration 8 left it.
        await stores.SqlAsync("DROP TABLE rse_analytics_journal; DELETE FROM rse_schema_version WHERE version = 9");

        Assert.Equal([9], await migrator.MigrateAsync());

        Assert.Equal(0L, await stores.SqlAsync("SELECT count(*) FROM rse_analytics_journal"));
        Assert.Equal(1L, await stores.SqlAsync(
            "INSERT INTO rse_analytics_journal (at, post_id, person, count, kind) VALUES (now(), 1, 0, 1, 1) RETURNING entry_id"));
    }

    [Fact]
    public async Task Upgrading_to_search_statistics_has_the_search_table_analysed_after_2000_changes()
    {
        var stores = await DurableStores.CreateAsync(servers, "schema-search-statistics");
        await using var source = NpgsqlDataSource.Create(stores.Postgres);
        var migrator = new SchemaMigrator(source, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync();
        // A database as migration 9 left it: PostgreSQL's default thresholds.
        await stores.SqlAsync("ALTER TABLE rse_search_content RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold); DELETE FROM rse_schema_version WHERE version = 10");

        Assert.Equal([10], await migrator.MigrateAsync());

        Assert.Equal(
            "autovacuum_analyze_scale_factor=0.002,autovacuum_analyze_threshold=2000",
            await stores.SqlAsync("SELECT array_to_string(array(SELECT unnest(reloptions) ORDER BY 1), ',') FROM pg_class WHERE relname = 'rse_search_content'"));
    }

    [Fact]
    public async Task Upgrading_to_the_owners_queue_has_each_write_of_a_person_or_a_group_queued_for_search_and_no_other()
    {
        var stores = await DurableStores.CreateAsync(servers, "schema-search-owners");
        await using var source = NpgsqlDataSource.Create(stores.Postgres);
        var migrator = new SchemaMigrator(source, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync();
        // A database as migration 10 left it.
        await stores.SqlAsync("DROP TRIGGER rse_grain_state_to_search ON rse_grain_state; DROP TABLE rse_search_owners_pending; DELETE FROM rse_schema_version WHERE version = 11");

        Assert.Equal([11], await migrator.MigrateAsync());

        await stores.SqlAsync(
            """
            INSERT INTO rse_grain_state (service_id, grain_type, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
            VALUES ('rse', 'user', 0, 0, 0, 0, 'ada', '\x01', 1), ('rse', 'group', 0, 0, 0, 0, 'astronomy', '\x01', 1), ('rse', 'post', 0, 0, 7, 0, NULL, '\x01', 1)
            """);
        await stores.SqlAsync("UPDATE rse_grain_state SET payload = '\x02', version = 2 WHERE grain_type = 'user'");

        Assert.Equal("user ada,group astronomy,user ada", await stores.SqlAsync(
            "SELECT string_agg(grain_type || ' ' || owner_id, ',' ORDER BY seq) FROM rse_search_owners_pending"));
    }

    [Fact]
    public async Task Upgrading_to_scope_lexemes_lets_each_reader_find_the_texts_of_their_scopes_and_a_group_made_open_moves_its_texts()
    {
        var stores = await DurableStores.CreateAsync(servers, "schema-search-scopes");
        await using var source = NpgsqlDataSource.Create(stores.Postgres);
        var migrator = new SchemaMigrator(source, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync();
        await stores.SqlAsync(
            """
            INSERT INTO rse_search_groups (group_id, name, visibility, names, document)
            VALUES ('lobby', 'Lobby', 'open', 'lobby', ''), ('board', 'Board', 'secret', 'board', ''), ('o''brien\team', 'Team', 'closed', 'team', '');
            INSERT INTO rse_search_content (post_id, comment_id, author_id, group_id, body, language, created_at, hashtags, mentions, has_link, document)
            SELECT id, 0, 'ada', g, 'budget', 'en', now(), '{}', '{}', false, rse_search_document('budget', 'en', false)
              FROM (VALUES (1, NULL), (2, 'lobby'), (3, 'board'), (4, 'o''brien\team')) AS t(id, g);
            """);
        // A database as migration 14 left it: texts without scope lexemes, which the upgrade adds.
        await stores.SqlAsync("ALTER TABLE rse_search_content DISABLE TRIGGER rse_search_content_derived; UPDATE rse_search_content SET document = ts_filter(document, '{a,b,c}'); ALTER TABLE rse_search_content ENABLE TRIGGER rse_search_content_derived; DELETE FROM rse_schema_version WHERE version = 15");

        Assert.Equal([15], await migrator.MigrateAsync());

        async Task<object?> FoundBy(string scopes) => await stores.SqlAsync(
            $"SELECT string_agg(post_id::text, ',' ORDER BY post_id) FROM rse_search_content WHERE document @@ (rse_search_query(ARRAY['budget']) && rse_search_scope_query(ARRAY[{scopes}]))");
        Assert.Equal("1,2", await FoundBy("'~p', '~o'"));
        Assert.Equal("1,2,3", await FoundBy("'~p', '~o', '~gboard'"));
        Assert.Equal("1,4", await FoundBy("'~p', '~go''brien\\team'"));

        await stores.SqlAsync("UPDATE rse_search_groups SET visibility = 'open' WHERE group_id = 'board'");
        Assert.Equal("1,2,3", await FoundBy("'~p', '~o'"));
        await stores.SqlAsync("UPDATE rse_search_groups SET visibility = 'closed' WHERE group_id = 'lobby'");
        Assert.Equal("1,3", await FoundBy("'~p', '~o'"));
        Assert.Equal("1,2,3", await FoundBy("'~p', '~o', '~globby'"));
    }

    [Fact]
    public async Task The_text_index_keeps_new_texts_waiting_in_a_pending_list_of_256_kB_at_most()
    {
        var stores = await DurableStores.CreateAsync(servers, "schema-search-pending");
        await using var source = NpgsqlDataSource.Create(stores.Postgres);
        await new SchemaMigrator(source, NullLogger<SchemaMigrator>.Instance).MigrateAsync();

        Assert.Equal("gin_pending_list_limit=256", await stores.SqlAsync("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'rse_search_content_document'"));
    }
}
