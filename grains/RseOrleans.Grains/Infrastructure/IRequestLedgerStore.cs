using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace RseOrleans.Grains.Infrastructure;

/// <summary>One request: its message's fingerprint, when it started or finished, and its response once it succeeded.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.LedgerEntry")]
public sealed record LedgerEntry(
    [property: Id(0)] ulong Fingerprint,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] byte[]? Response);

/// <summary>
/// A caller's entries as one value: what the grain-storage store writes, and how durable mode stored
/// them (as the ledger grain's state) before migration 0016 gave them a row each.
/// </summary>
[GenerateSerializer]
[Alias("rse.RequestLedgerState")]
public sealed class RequestLedgerState
{
    [Id(0)]
    public Dictionary<ulong, LedgerEntry> Entries { get; set; } = [];
}

/// <summary>
/// A caller's entries as loaded by their ledger, which changes <see cref="Entries"/> and then writes
/// the requests it changed. <see cref="Version"/> belongs to the store (the grain-storage one keeps an
/// ETag there); the ledger never reads it.
/// </summary>
public sealed class StoredLedger(string caller, Dictionary<ulong, LedgerEntry> entries, string? version)
{
    public string Caller => caller;

    public Dictionary<ulong, LedgerEntry> Entries => entries;

    public string? Version { get; set; } = version;
}

/// <summary>
/// Where a caller's <see cref="RequestLedgerGrain"/> keeps its entries; the grain owns them and is
/// their only writer (one activation), the store is its storage. Durable mode: one PostgreSQL row
/// per entry, so a call writes its own entry and not the caller's 256. The embedded engine keeps
/// them in its process's memory, entry by entry (the silo host's <c>InProcessRequestLedgerStore</c>);
/// grain storage holds them otherwise (<see cref="GrainStorageRequestLedgerStore"/>).
/// </summary>
public interface IRequestLedgerStore
{
    /// <summary>Every entry stored for the caller, expired ones included (the ledger drops them); none when nothing was stored.</summary>
    Task<StoredLedger> LoadAsync(string caller);

    /// <summary>
    /// Stores the entries of <paramref name="changed"/> as they now are in <paramref name="ledger"/>:
    /// written when present, removed when absent; all of them or none. A stored entry is never
    /// replaced by one of an earlier time (a write the storage took late, from an activation that
    /// has gone, leaves what a later one wrote).
    /// </summary>
    Task WriteAsync(StoredLedger ledger, IReadOnlyCollection<ulong> changed);
}

/// <summary>
/// Without a store of the mode's own (the tests' in-process clusters of several silos): the caller's
/// entries as one grain-storage value under their own id, written whole, with an ETag so that a
/// second writer is refused rather than overwriting.
/// </summary>
public sealed class GrainStorageRequestLedgerStore(IServiceProvider services) : IRequestLedgerStore
{
    private const string StateName = "request-ledger-entries";

    private IGrainStorage? storage;

    // Resolved at first use: the storage providers are registered by the host after the grain services.
    private IGrainStorage Storage => storage ??= services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Main);

    public async Task<StoredLedger> LoadAsync(string caller)
    {
        var stored = new GrainState<RequestLedgerState>(new RequestLedgerState());
        await Storage.ReadStateAsync(StateName, IdOf(caller), stored);
        return new StoredLedger(caller, stored.State?.Entries ?? [], stored.ETag);
    }

    public async Task WriteAsync(StoredLedger ledger, IReadOnlyCollection<ulong> changed)
    {
        if (changed.Count == 0)
        {
            return;
        }

        // The memory storage grain's call copies the value as it is sent: the ledger's later changes stay out of it.
        var stored = new GrainState<RequestLedgerState>(new RequestLedgerState { Entries = ledger.Entries })
        {
            ETag = ledger.Version,
            RecordExists = ledger.Version is not null,
        };
        if (ledger.Entries.Count == 0)
        {
            if (ledger.Version is null)
            {
                return;
            }

            await Storage.ClearStateAsync(StateName, IdOf(ledger.Caller), stored);
        }
        else
        {
            await Storage.WriteStateAsync(StateName, IdOf(ledger.Caller), stored);
        }

        ledger.Version = stored.ETag;
    }

    private static GrainId IdOf(string caller) => GrainId.Create(StateName, caller);
}
