using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Session;
using Orleans.Storage;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Silo.Hosting;

namespace RseOrleans.Tests.Engine;

/// <summary>The embedded default's grain storage keeps what was written, and only that, as a database would.</summary>
public sealed class InProcessGrainStorageTests
{
    private static readonly IServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private static readonly GrainId Alice = GrainId.Create("request-ledger", "alice");

    private readonly InProcessGrainStorage storage = new(Serialization.GetRequiredService<Serializer>(), Serialization.GetRequiredService<SerializerSessionPool>());

    [Fact]
    public async Task A_state_changed_after_its_write_is_read_back_as_written()
    {
        var written = Ledger(1);
        await storage.WriteStateAsync("requests", Alice, written);
        written.State!.Entries[2] = new LedgerEntry(2, DateTimeOffset.UnixEpoch, null);

        var read = new GrainState<RequestLedgerState>(new RequestLedgerState());
        await storage.ReadStateAsync("requests", Alice, read);

        Assert.True(read.RecordExists);
        Assert.Equal([1UL], read.State!.Entries.Keys);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task A_write_from_an_activation_that_missed_a_later_write_is_refused()
    {
        var first = Ledger(1);
        await storage.WriteStateAsync("requests", Alice, first);
        var stale = new GrainState<RequestLedgerState>(first.State, first.ETag);
        await storage.WriteStateAsync("requests", Alice, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("requests", Alice, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("requests", Alice, Ledger(3)));
    }

    [Fact]
    public async Task A_cleared_state_is_gone_and_can_be_written_anew()
    {
        var state = Ledger(1);
        await storage.WriteStateAsync("requests", Alice, state);
        await storage.ClearStateAsync("requests", Alice, state);

        var read = new GrainState<RequestLedgerState>(new RequestLedgerState());
        await storage.ReadStateAsync("requests", Alice, read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Empty(read.State!.Entries);

        await storage.WriteStateAsync("requests", Alice, Ledger(2));
    }

    [Fact]
    public async Task States_of_other_names_and_grains_are_apart()
    {
        await storage.WriteStateAsync("requests", Alice, Ledger(1));

        var otherName = new GrainState<RequestLedgerState>(new RequestLedgerState());
        await storage.ReadStateAsync("other", Alice, otherName);
        var otherGrain = new GrainState<RequestLedgerState>(new RequestLedgerState());
        await storage.ReadStateAsync("requests", GrainId.Create("request-ledger", "bob"), otherGrain);

        Assert.False(otherName.RecordExists);
        Assert.False(otherGrain.RecordExists);
    }

    [Fact]
    public async Task A_state_is_kept_in_an_array_of_its_own_size()
    {
        var ledger = new RequestLedgerState();
        for (ulong request = 0; request < 300; request++)
        {
            ledger.Entries[request] = new LedgerEntry(request, DateTimeOffset.UnixEpoch, new byte[100]);
        }

        var exact = Serialization.GetRequiredService<Serializer>().SerializeToArray(ledger).Length;
        await storage.WriteStateAsync("requests", Alice, new GrainState<RequestLedgerState>(ledger));

        Assert.Equal(exact, storage.StoredBytes);
    }

    private static GrainState<RequestLedgerState> Ledger(ulong request) =>
        new(new RequestLedgerState { Entries = { [request] = new LedgerEntry(request, DateTimeOffset.UnixEpoch, [1, 2, 3]) } });
}
