using System.Collections.Concurrent;
using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Silo.Hosting;

/// <summary>
/// The embedded engine's request ledgers: each caller's entries in this process's memory, beside
/// the one silo's grains, so a call stores its own entry and not, serialized, the caller's whole
/// ledger. A load copies the entries out and a write copies the changed ones in: what the ledger
/// changes and has not written is not what its next activation loads.
/// </summary>
public sealed class InProcessRequestLedgerStore : IRequestLedgerStore
{
    private readonly ConcurrentDictionary<string, Dictionary<ulong, LedgerEntry>> ledgers = new(StringComparer.Ordinal);

    public Task<StoredLedger> LoadAsync(string caller)
    {
        Dictionary<ulong, LedgerEntry> entries = [];
        if (ledgers.TryGetValue(caller, out var stored))
        {
            lock (stored)
            {
                entries = new Dictionary<ulong, LedgerEntry>(stored);
            }
        }

        return Task.FromResult(new StoredLedger(caller, entries, version: null));
    }

    public Task WriteAsync(StoredLedger ledger, IReadOnlyCollection<ulong> changed)
    {
        var stored = ledgers.GetOrAdd(ledger.Caller, _ => []);
        lock (stored)
        {
            foreach (var request in changed)
            {
                if (!ledger.Entries.TryGetValue(request, out var entry))
                {
                    stored.Remove(request);
                }
                else if (!stored.TryGetValue(request, out var earlier) || earlier.At <= entry.At)
                {
                    // As the durable store: a late write from an activation that has gone leaves a later entry.
                    stored[request] = entry;
                }
            }

            if (stored.Count == 0)
            {
                ledgers.TryRemove(new KeyValuePair<string, Dictionary<ulong, LedgerEntry>>(ledger.Caller, stored));
            }
        }

        return Task.CompletedTask;
    }
}
