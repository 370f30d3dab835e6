using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using RseOrleans.Grains;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Silo.Hosting;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Engine;

/// <summary>The embedded engine's ledgers keep what was written, entry by entry, and only that.</summary>
public sealed class InProcessRequestLedgerStoreTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private readonly InProcessRequestLedgerStore store = new();

    [Fact]
    public async Task The_embedded_engine_keeps_grain_states_and_ledgers_in_its_own_memory()
    {
        await using var engine = await RunningEngine.StartAsync("in-process-stores");

        Assert.IsType<InProcessRequestLedgerStore>(engine.Services.GetRequiredService<IRequestLedgerStore>());
        Assert.IsType<InProcessGrainStorage>(engine.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Main));
    }

    [Fact]
    public async Task A_write_stores_the_changed_entries_and_a_later_change_in_memory_is_not_loaded()
    {
        var ledger = await store.LoadAsync("ann");
        ledger.Entries[1] = new LedgerEntry(11, Noon, [1]);
        ledger.Entries[2] = new LedgerEntry(22, Noon, null);
        await store.WriteAsync(ledger, [1]);
        ledger.Entries[1] = new LedgerEntry(11, Noon.AddSeconds(1), [9]);

        var loaded = await store.LoadAsync("ann");

        Assert.Equal([1UL], loaded.Entries.Keys);
        Assert.Equal([1], loaded.Entries[1].Response);
        Assert.Empty((await store.LoadAsync("bob")).Entries);
    }

    [Fact]
    public async Task An_entry_absent_from_the_ledger_is_removed_and_a_late_write_leaves_a_later_entry()
    {
        var ledger = await store.LoadAsync("ann");
        ledger.Entries[1] = new LedgerEntry(11, Noon, null);
        ledger.Entries[2] = new LedgerEntry(22, Noon, null);
        await store.WriteAsync(ledger, [1, 2]);

        var later = await store.LoadAsync("ann");
        later.Entries[1] = new LedgerEntry(11, Noon.AddMinutes(1), [7]);
        later.Entries.Remove(2);
        await store.WriteAsync(later, [1, 2]);
        await store.WriteAsync(ledger, [1]);

        var loaded = await store.LoadAsync("ann");
        Assert.Equal([1UL], loaded.Entries.Keys);
        Assert.Equal([7], loaded.Entries[1].Response);
    }
}
