using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RseOrleans.Grains.Infrastructure;

[GenerateSerializer]
[Alias("rse.RequestLedgerState")]
public sealed class RequestLedgerState
{
    [Id(0)]
    public Dictionary<ulong, LedgerEntry> Entries { get; set; } = [];
}

/// <summary>One request: its message's fingerprint, when it started or finished, and its response once it succeeded.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.LedgerEntry")]
public sealed record LedgerEntry(
    [property: Id(0)] ulong Fingerprint,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] byte[]? Response);

/// <summary>
/// A caller's request outcomes (see <see cref="IRequestLedgerGrain"/>), in the grain storage like any
/// state, so durable mode keeps them across restarts. Bounded without reminders: entries older than
/// the retention are dropped when the ledger activates and whenever it writes, and at most
/// <see cref="RequestLedgerOptions.Capacity"/> are kept; an empty ledger deletes its stored state.
/// </summary>
/// <remarks>
/// Only <see cref="Begin"/> must be durable before it answers (nothing runs unless its start is
/// stored). An outcome or a release the storage refuses is kept in memory and stored with the next
/// write: memory ahead of the storage only answers retries sooner, and should the activation be
/// lost meanwhile, the stored "started" entry holds the id for a lease, as for a run that died.
/// </remarks>
[GrainType("request-ledger")]
public sealed partial class RequestLedgerGrain(
    [PersistentState("requests", StorageNames.Main)] IPersistentState<RequestLedgerState> state,
    IOptions<RequestLedgerOptions> options,
    TimeProvider clock,
    ILogger<RequestLedgerGrain> logger) : Grain, IRequestLedgerGrain
{
    private Dictionary<ulong, LedgerEntry> Entries => state.State.Entries;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Written away with the next change: a ledger that is only read needs no write.
        DropExpired(clock.GetUtcNow());
        return Task.CompletedTask;
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
        Entries[request] = new(fingerprint, now, null);
        await SaveAsync(now);
        return new(LedgerVerdict.Run);
    }

    public async Task Complete(ulong request, ulong fingerprint, byte[] response)
    {
        var now = clock.GetUtcNow();
        Entries[request] = new(fingerprint, now, response);
        await SaveLaterIfRefusedAsync(now);
    }

    public async Task Abandon(ulong request, ulong fingerprint)
    {
        if (Entries.TryGetValue(request, out var entry) && entry.Fingerprint == fingerprint && entry.Response is null)
        {
            Entries.Remove(request);
            await SaveLaterIfRefusedAsync(clock.GetUtcNow());
        }
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

    private async Task SaveAsync(DateTimeOffset now)
    {
        DropExpired(now);
        var excess = Entries.Count - Math.Max(1, options.Value.Capacity);
        if (excess > 0)
        {
            foreach (var oldest in Entries.OrderBy(pair => pair.Value.At).Take(excess).Select(pair => pair.Key).ToArray())
            {
                Entries.Remove(oldest);
            }
        }

        if (Entries.Count == 0)
        {
            await state.ClearStateAsync();
        }
        else
        {
            await state.WriteStateAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The request ledger of {Caller} could not be stored; it is kept in memory until the next write")]
    private partial void LogKeptInMemory(Exception exception, string caller);

    private void DropExpired(DateTimeOffset now)
    {
        var retention = options.Value.Retention;
        foreach (var (request, entry) in Entries)
        {
            if (now - entry.At >= retention)
            {
                Entries.Remove(request);
            }
        }
    }
}
