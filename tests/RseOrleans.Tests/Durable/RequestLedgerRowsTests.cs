using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Storage.Postgres;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using Xunit.Abstractions;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>
/// In durable mode a caller's request ledger is rows of rse_request_ledger, one per request: a
/// mutating call writes its own entry, not the caller's others; entries forgotten (expired, beyond
/// the capacity) are deleted together now and then, an abandoned call's at once; an outcome the
/// storage refuses is kept and stored with the next write; a row written late by an activation
/// that has gone never replaces a later one; and a ledger stored whole, as the grain's state, is
/// carried over to rows.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class RequestLedgerRowsTests(DatabaseServersFixture servers, ITestOutputHelper output)
{
    /// <summary>Ledgers stored whole as grain state (the state "requests" of the grain "request-ledger").</summary>
    private const string LedgerStates = "SELECT count(*) FROM rse_grain_state WHERE grain_type LIKE '%request%' AND payload IS NOT NULL";

    [Fact]
    public async Task After_200_entries_one_more_call_writes_that_calls_row_alone()
    {
        var stores = await DurableStores.CreateAsync(servers, "request_ledger_rows");
        await using var engine = await stores.StartEngineAsync("request-ledger-rows");
        var api = new EngineClient(engine.Channel);
        // Creating the account is the caller's first entry.
        var author = await api.CreateUserAsync("author");
        for (var i = 1; i < 200; i++)
        {
            await api.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = $"Post number {i} of the week" }, As(author));
        }

        var ledgerRows = $"SELECT request::text, xmin::text FROM rse_request_ledger WHERE caller = '{author}'";
        Assert.Equal(200L, await stores.SqlAsync($"SELECT count(*) FROM rse_request_ledger WHERE caller = '{author}'"));

        var written = await RowVersions.WrittenByAsync(stores.Postgres, ledgerRows, () =>
            api.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "One more" }, As(author)).ResponseAsync);

        var row = Assert.Single(written);
        Assert.Equal(201L, await stores.SqlAsync($"SELECT count(*) FROM rse_request_ledger WHERE caller = '{author}'"));
        Assert.Equal(1L, await stores.SqlAsync($"SELECT count(*) FROM rse_request_ledger WHERE caller = '{author}' AND request = {row} AND response IS NOT NULL"));
        // Nothing of the ledger is grain state any more.
        Assert.Equal(0L, await stores.SqlAsync(LedgerStates));

        // Without the versions the upserts left behind, which autovacuum gives back to later rows.
        await stores.SqlAsync("VACUUM FULL rse_request_ledger");
        var bytes = (long)(await stores.SqlAsync("SELECT pg_total_relation_size('rse_request_ledger')"))!;
        var rows = (long)(await stores.SqlAsync("SELECT count(*) FROM rse_request_ledger"))!;
        var rowBytes = await stores.SqlAsync("SELECT round(avg(pg_column_size(l.*))) FROM rse_request_ledger AS l WHERE response IS NOT NULL");
        var responseBytes = await stores.SqlAsync("SELECT round(avg(octet_length(response))) FROM rse_request_ledger");
        output.WriteLine($"rse_request_ledger: {bytes:N0} bytes with its key's index for {rows} rows, {(double)bytes / rows:F1} bytes a row; a row alone {rowBytes} bytes, of which the response {responseBytes}");
    }

    [Fact]
    public async Task Entries_forgotten_are_deleted_together_once_a_quarter_of_the_capacity_or_an_hour_later_and_an_abandoned_call_at_once()
    {
        var stores = await DurableStores.CreateAsync(servers, "request_ledger_trim");
        var clock = new ShiftedClock(TimeSpan.Zero);
        // A capacity of 8: the forgotten entries are deleted with the write after the second.
        await RunClusterAsync(stores, silo => silo.Services.AddSingleton<TimeProvider>(clock).Configure<RequestLedgerOptions>(options => options.Capacity = 8), async cluster =>
        {
            var ledger = cluster.Client.GetGrain<IRequestLedgerGrain>("ada");
            for (ulong request = 1; request <= 8; request++)
            {
                await RunAsync(ledger, request);
            }

            Assert.Equal("1,2,3,4,5,6,7,8", await StoredAsync(stores, "ada"));

            // The ninth makes the first forgotten, still stored: 9 rows, the most a ledger of 8 keeps.
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(9, 9)).Verdict);
            Assert.Equal("1,2,3,4,5,6,7,8,9", await StoredAsync(stores, "ada"));
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(1, 1)).Verdict);
            Assert.Equal("1,2,3,4,5,6,7,8,9", await StoredAsync(stores, "ada"));

            await ledger.Abandon(9, 9);
            Assert.Equal("1,2,3,4,5,6,7,8", await StoredAsync(stores, "ada"));

            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(10, 10)).Verdict);
            Assert.Equal("1,2,3,4,5,6,7,8,10", await StoredAsync(stores, "ada"));

            // The eleventh makes a second forgotten: both are deleted with its own row's write.
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(11, 11)).Verdict);
            Assert.Equal("1,4,5,6,7,8,10,11", await StoredAsync(stores, "ada"));
            Assert.Equal(LedgerVerdict.Replay, (await ledger.Begin(4, 4)).Verdict);

            // One forgotten alone is deleted with the first write an hour later.
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(12, 12)).Verdict);
            Assert.Equal("1,4,5,6,7,8,10,11,12", await StoredAsync(stores, "ada"));
            await ledger.Complete(12, 12, [12]);
            Assert.Equal("1,4,5,6,7,8,10,11,12", await StoredAsync(stores, "ada"));
            clock.Offset = TimeSpan.FromMinutes(61);
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(10, 10)).Verdict);
            Assert.Equal("1,5,6,7,8,10,11,12", await StoredAsync(stores, "ada"));

            // A day later every entry has expired: all are deleted with the next write.
            clock.Offset = TimeSpan.FromHours(26);
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(4, 4)).Verdict);
            Assert.Equal("4", await StoredAsync(stores, "ada"));
        });
    }

    [Fact]
    public async Task The_rows_of_a_caller_who_makes_no_more_calls_are_swept_once_past_the_retention_and_the_others_stay()
    {
        var stores = await DurableStores.CreateAsync(servers, "request_ledger_sweep");
        await using var engine = await stores.StartEngineAsync("request-ledger-sweep");
        var api = new EngineClient(engine.Channel);
        var silent = await api.CreateUserAsync("silent");
        var active = await api.CreateUserAsync("active");
        await api.PostAsync(silent, "Said once, then never again");
        await api.PostAsync(active, "Still here");
        string Rows(string caller) => $"SELECT count(*) FROM rse_request_ledger WHERE caller = '{caller}'";
        var silentRows = (long)(await stores.SqlAsync(Rows(silent)))!;
        Assert.True(silentRows > 0, "the post's answer is in the ledger");
        var sweeper = engine.Services.GetRequiredService<RequestLedgerSweeper>();
        Assert.Equal(0L, await sweeper.RunOnceAsync());

        // A day and an hour pass for the silent caller's rows only.
        await stores.SqlAsync($"UPDATE rse_request_ledger SET at = at - interval '25 hours' WHERE caller = '{silent}'");

        Assert.Equal(silentRows, await sweeper.RunOnceAsync());
        Assert.Equal(0L, await stores.SqlAsync(Rows(silent)));
        Assert.NotEqual(0L, await stores.SqlAsync(Rows(active)));
    }

    [Fact]
    public async Task An_outcome_the_storage_refuses_is_answered_from_memory_and_stored_with_the_next_write_and_a_start_it_refuses_never_runs()
    {
        var stores = await DurableStores.CreateAsync(servers, "request_ledger_refused");
        await RunClusterAsync(stores, silo => silo.Services.AddSingleton<IRequestLedgerStore>(
            provider => new RefusingStore(ActivatorUtilities.CreateInstance<PostgresRequestLedgerStore>(provider))), async cluster =>
        {
            var ledger = cluster.Client.GetGrain<IRequestLedgerGrain>("ada");
            var store = (RefusingStore)cluster.Silos[0].ServiceProvider.GetRequiredService<IRequestLedgerStore>();
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(1, 11)).Verdict);

            store.Refusing = true;
            await ledger.Complete(1, 11, [1, 2, 3]);
            var replay = await ledger.Begin(1, 11);
            Assert.Equal(LedgerVerdict.Replay, replay.Verdict);
            Assert.Equal([1, 2, 3], replay.Response);
            Assert.Equal(LedgerVerdict.Mismatch, (await ledger.Begin(1, 12)).Verdict);
            Assert.Equal(0L, await stores.SqlAsync("SELECT count(*) FROM rse_request_ledger WHERE response IS NOT NULL"));

            store.Refusing = false;
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(2, 22)).Verdict);
            Assert.Equal("\\x010203", await stores.SqlAsync("SELECT response::text FROM rse_request_ledger WHERE caller = 'ada' AND request = 1"));

            // A start the storage refuses is refused to its caller: nothing ran, nothing holds the id.
            store.Refusing = true;
            var refused = await Assert.ThrowsAsync<DomainException>(() => ledger.Begin(3, 33));
            Assert.Equal(DomainError.Unavailable, refused.Error);
            store.Refusing = false;
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(3, 33)).Verdict);
            Assert.Equal(LedgerVerdict.Running, (await ledger.Begin(2, 22)).Verdict);
            Assert.Equal(LedgerVerdict.Replay, (await ledger.Begin(1, 11)).Verdict);
        });
    }

    [Fact]
    public async Task A_row_written_late_by_a_ledger_activation_that_has_gone_leaves_the_later_row_and_the_call_goes_through()
    {
        var stores = await DurableStores.CreateAsync(servers, "request_ledger_late");
        await RunClusterAsync(stores, _ => { }, async cluster =>
        {
            var ledger = cluster.Client.GetGrain<IRequestLedgerGrain>("ada");
            var store = cluster.Silos[0].ServiceProvider.GetRequiredService<IRequestLedgerStore>();
            var started = DateTimeOffset.UtcNow;
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(1, 11)).Verdict);
            await ledger.Complete(1, 11, [1, 2, 3]);

            // The start as an earlier activation sent it before a storage hang, taken when the storage resumed.
            await store.WriteAsync(new StoredLedger("ada", new() { [1] = new LedgerEntry(11, started, null) }, version: null), [1]);

            Assert.Equal("\\x010203", await stores.SqlAsync("SELECT response::text FROM rse_request_ledger WHERE caller = 'ada' AND request = 1"));
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(2, 22)).Verdict);
            Assert.Equal(LedgerVerdict.Replay, (await ledger.Begin(1, 11)).Verdict);
        });
    }

    [Fact]
    public async Task A_database_holding_a_ledger_whole_is_carried_over_to_rows_and_its_retries_answered_from_them()
    {
        var stores = await DurableStores.CreateAsync(servers, "request_ledger_upgrade");
        var now = DateTimeOffset.UtcNow;
        // As the ledger before its rows stored it: a call done, one started 10 minutes ago and never
        // heard of since, one done two days ago.
        var whole = new RequestLedgerState
        {
            Entries =
            {
                [1] = new LedgerEntry(11, now.AddMinutes(-1), [1, 2, 3]),
                [2] = new LedgerEntry(22, now.AddMinutes(-10), null),
                [3] = new LedgerEntry(33, now.AddDays(-2), [3]),
            },
        };

        await RunClusterAsync(stores, _ => { }, async cluster =>
        {
            var ledger = cluster.Client.GetGrain<IRequestLedgerGrain>("ada");
            var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Main);
            await storage.WriteStateAsync("requests", ledger.GetGrainId(), new GrainState<RequestLedgerState>(whole));
            Assert.Equal(1L, await stores.SqlAsync(LedgerStates));

            await AssertCarriedOverAsync(ledger);
            Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(2, 22)).Verdict);
        });

        Assert.Equal("1,2", await StoredAsync(stores, "ada"));
        Assert.Equal(0L, await stores.SqlAsync(LedgerStates));

        // Started again, the ledger comes from its rows alone.
        await RunClusterAsync(stores, _ => { }, async cluster =>
        {
            var ledger = cluster.Client.GetGrain<IRequestLedgerGrain>("ada");
            await AssertCarriedOverAsync(ledger);
            Assert.Equal(LedgerVerdict.Running, (await ledger.Begin(2, 22)).Verdict);
        });
    }

    private static async Task AssertCarriedOverAsync(IRequestLedgerGrain ledger)
    {
        var replay = await ledger.Begin(1, 11);
        Assert.Equal(LedgerVerdict.Replay, replay.Verdict);
        Assert.Equal([1, 2, 3], replay.Response);
        Assert.Equal(LedgerVerdict.Mismatch, (await ledger.Begin(1, 12)).Verdict);
        Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(3, 34)).Verdict);
        await ledger.Abandon(3, 34);
    }

    /// <summary>A call that runs and succeeds, as the API's interceptor records it (the fingerprint is the request).</summary>
    private static async Task RunAsync(IRequestLedgerGrain ledger, ulong request)
    {
        Assert.Equal(LedgerVerdict.Run, (await ledger.Begin(request, request)).Verdict);
        await ledger.Complete(request, request, [(byte)request]);
    }

    /// <summary>The requests stored for <paramref name="caller"/>, lowest first.</summary>
    private static async Task<object?> StoredAsync(DurableStores stores, string caller) =>
        await stores.SqlAsync($"SELECT string_agg(request::text, ',' ORDER BY request) FROM rse_request_ledger WHERE caller = '{caller}'");

    private static async Task RunClusterAsync(DurableStores stores, Action<ISiloBuilder> configure, Func<InProcessTestCluster, Task> test)
    {
        var cluster = await stores.StartClusterAsync(silos: 1, configure);
        try
        {
            await test(cluster);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>The PostgreSQL store, refusing every write while <see cref="Refusing"/>, as a store that is down does.</summary>
    private sealed class RefusingStore(IRequestLedgerStore stored) : IRequestLedgerStore
    {
        public bool Refusing { get; set; }

        public Task<StoredLedger> LoadAsync(string caller) => stored.LoadAsync(caller);

        public Task WriteAsync(StoredLedger ledger, IReadOnlyCollection<ulong> changed) =>
            Refusing ? throw new StorageUnavailableException("PostgreSQL", "Refused by the test") : stored.WriteAsync(ledger, changed);
    }
}
