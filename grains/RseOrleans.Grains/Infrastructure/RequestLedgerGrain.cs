using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RseOrleans.Grains.Infrastructure;

/// <summary>
/// A caller's request outcomes (see <see cref="IRequestLedgerGrain"/>), kept by an
/// <see cref="IRequestLedgerStore"/>: in durable mode a row per entry, so that a call writes its own
/// entry and not the whole ledger. Bounded without reminders: entries older than the retention, and
/// the oldest beyond <see cref="RequestLedgerOptions.Capacity"/>, are forgotten in memory when the
/// ledger activates and whenever it writes. Their stored entries are deleted together with a later
/// write: the first once a quarter of the capacity has been forgotten (<see cref="TrimAfter"/>),
/// which bounds a caller's stored entries to capacity + a quarter − 1 (319 by default), or the
/// first an hour after one was forgotten (<see cref="TrimDelay"/>), so that an answer outlives its
/// retention in the storage by an hour at most while its caller writes.
/// </summary>
/// <remarks>
/// Only <see cref="Begin"/> must be durable before it answers (nothing runs unless its start is
/// stored). An outcome or a release the storage refuses is kept in memory and stored with the next
/// write: memory ahead of the storage only answers retries sooner, and should the activation be
/// lost meanwhile, the stored "started" entry holds the id for a lease, as for a run that died.
/// </remarks>
[GrainType("request-ledger")]
public sealed partial class RequestLedgerGrain(
    IRequestLedgerStore store,
    [PersistentState("requests", StorageNames.Main)] IPersistentState<RequestLedgerState> wholeState,
    IOptions<RequestLedgerOptions> options,
    TimeProvider clock,
    ILogger<RequestLedgerGrain> logger) : Grain, IRequestLedgerGrain
{
    private StoredLedger ledger = null!;

    // Requests whose entries changed since the last write that succeeded (removed ones included).
    private readonly HashSet<ulong> unsaved = [];

    // Requests forgotten in memory (expired, beyond the capacity) whose entries may still be stored,
    // and when they are deleted at the latest (with the first write from then on).
    private readonly HashSet<ulong> forgotten = [];

    private DateTimeOffset trimDue = DateTimeOffset.MaxValue;

    private Dictionary<ulong, LedgerEntry> Entries => ledger.Entries;

    /// <summary>How many forgotten entries make the next write delete them all: a quarter of the capacity.</summary>
    private int TrimAfter => Math.Max(1, Capacity / 4);

    /// <summary>How long an entry forgotten stays stored at most, while its caller writes.</summary>
    private static readonly TimeSpan TrimDelay = TimeSpan.FromHours(1);

    private int Capacity => Math.Max(1, options.Value.Capacity);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        ledger = await store.LoadAsync(this.GetPrimaryKeyString());
        if (wholeState.State.Entries.Count > 0)
        {
            // Stored whole by an earlier version: carried over to the store once, then cleared. An
            // entry already in the store (carried over by an activation that failed to clear) stays.
            foreach (var (request, entry) in wholeState.State.Entries)
            {
                if (Entries.TryAdd(request, entry))
                {
                    unsaved.Add(request);
                }
            }

            await SaveAsync(now);
            await wholeState.ClearStateAsync(cancellationToken);
        }

        // Deleted from the store with a later write: a ledger that is only read needs no write.
        Forget(now);
    }

    public async Task<LedgerAnswer> Begin(ulong request, ulong fingerprint)
    {
        var now = clock.GetUtcNow();
        if (Entries.TryGetValue(request, out var entry) && now - entry.At < options.Value.Retention)
        {
            if (entry.Fingerprint != fingerprint)
            {
                return new(LedgerVerdict.Mismatch);
            }

            if (entry.Response is { } response)
            {
                return new(LedgerVerdict.Replay, response);
            }

            if (now - entry.At < options.Value.Lease)
            {
                return new(LedgerVerdict.Running);
            }

            // Started a lease ago and never heard of since: that run died with its outcome unknown.
        }

        // Stored before the call runs: a duplicate arriving meanwhile, even after a restart, waits for it.
        Set(request, fingerprint, now, null);
        await SaveAsync(now);
        return new(LedgerVerdict.Run);
    }

    public async Task Complete(ulong request, ulong fingerprint, byte[] response)
    {
        var now = clock.GetUtcNow();
        Set(request, fingerprint, now, response);
        await SaveLaterIfRefusedAsync(now);
    }

    public async Task Abandon(ulong request, ulong fingerprint)
    {
        if (Entries.TryGetValue(request, out var entry) && entry.Fingerprint == fingerprint && entry.Response is null)
        {
            // Deleted at once, not with the next trim: stored, it would hold the id for a lease after a restart.
            Entries.Remove(request);
            unsaved.Add(request);
            await SaveLaterIfRefusedAsync(clock.GetUtcNow());
        }
    }

    public async Task Forget()
    {
        unsaved.UnionWith(Entries.Keys);
        unsaved.UnionWith(forgotten);
        Entries.Clear();
        forgotten.Clear();
        trimDue = DateTimeOffset.MaxValue;
        if (unsaved.Count > 0)
        {
            await store.WriteAsync(ledger, [.. unsaved]);
            unsaved.Clear();
        }
    }

    private void Set(ulong request, ulong fingerprint, DateTimeOffset now, byte[]? response)
    {
        // Never earlier than the entry it replaces, which the store would take for a late write.
        var at = Entries.TryGetValue(request, out var earlier) && earlier.At > now ? earlier.At : now;
        Entries[request] = new(fingerprint, at, response);
        unsaved.Add(request);
        forgotten.Remove(request);
    }

    private async Task SaveLaterIfRefusedAsync(DateTimeOffset now)
    {
        try
        {
            await SaveAsync(now);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex))
        {
            LogKeptInMemory(ex, this.GetPrimaryKeyString());
        }
    }

    /// <summary>Writes the entries changed since the last write that succeeded, and the forgotten ones once there are <see cref="TrimAfter"/>.</summary>
    private async Task SaveAsync(DateTimeOffset now)
    {
        Forget(now);
        var trimming = forgotten.Count >= TrimAfter || now >= trimDue;
        if (trimming)
        {
            // Absent from the entries: the store deletes them.
            unsaved.UnionWith(forgotten);
        }

        if (unsaved.Count == 0)
        {
            return;
        }

        await store.WriteAsync(ledger, [.. unsaved]);
        unsaved.Clear();
        if (trimming)
        {
            forgotten.Clear();
            trimDue = DateTimeOffset.MaxValue;
        }
    }

    /// <summary>Drops from memory the entries older than the retention and the oldest beyond the capacity.</summary>
    private void Forget(DateTimeOffset now)
    {
        var retention = options.Value.Retention;
        foreach (var (request, entry) in Entries)
        {
            if (now - entry.At >= retention)
            {
                Drop(request, entry.At + retention);
            }
        }

        var excess = Entries.Count - Capacity;
        if (excess > 0)
        {
            foreach (var oldest in Entries.OrderBy(pair => pair.Value.At).Take(excess).Select(pair => pair.Key).ToArray())
            {
                Drop(oldest, now);
            }
        }
    }

    private void Drop(ulong request, DateTimeOffset forgottenAt)
    {
        Entries.Remove(request);
        unsaved.Remove(request);
        forgotten.Add(request);
        if (forgottenAt + TrimDelay < trimDue)
        {
            trimDue = forgottenAt + TrimDelay;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The request ledger of {Caller} could not be stored; it is kept in memory until the next write")]
    private partial void LogKeptInMemory(Exception exception, string caller);
}
