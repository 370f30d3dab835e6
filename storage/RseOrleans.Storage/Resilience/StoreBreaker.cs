using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;

namespace RseOrleans.Storage.Resilience;

/// <summary>
/// The circuit breaker of one store. Every operation on the store goes through <see cref="RunAsync{T}"/>.
/// A failure that looks like an outage (a refused or dropped connection, a timeout), or an operation
/// slower than the probe timeout, makes the breaker probe the store once, on a connection of its own:
/// if the probe fails too, the breaker opens and every operation fails at once with
/// <see cref="StorageUnavailableException"/>, rather than waiting for its own timeout; the breaker
/// keeps probing in the background and closes by itself when the store answers again. A failure the
/// probe does not confirm (one stale pooled connection after a restart) leaves the breaker closed.
/// </summary>
/// <remarks>
/// Whatever the client library threw, the caller gets <see cref="StorageUnavailableException"/>:
/// Orleans cannot carry the library's own exception types from one silo to another.
/// </remarks>
/// <param name="store">"PostgreSQL" or "Redis", for messages.</param>
/// <param name="whileOpen">What callers get while the store is down, for the one log line that says it is.</param>
/// <param name="probe">A cheap round trip to the store on a connection that does not queue behind stuck ones.</param>
/// <param name="recovered">Runs when the store answers again, before operations resume (PostgreSQL: drop the pooled connections the outage broke).</param>
public sealed partial class StoreBreaker(
    string store,
    string whileOpen,
    Func<CancellationToken, Task> probe,
    Action recovered,
    StoreBreakerOptions options,
    TimeProvider clock,
    ILogger<StoreBreaker> logger) : IDisposable
{
    public const string Postgres = "PostgreSQL";
    public const string Redis = "Redis";

    private int watching;
    private volatile bool open;

    /// <summary>Cancelled when the breaker opens, replaced when it closes: releases abandonable operations.</summary>
    private CancellationTokenSource openedSignal = new();

    /// <summary>"PostgreSQL" or "Redis".</summary>
    public string Store => store;

    /// <summary>True while the store is known to be down: operations fail without trying.</summary>
    public bool IsOpen => open;

    /// <summary>Runs an operation on the store, or fails at once while it is known to be down.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="abandonWhenOpened">
    /// Stop waiting for the operation once the breaker opens. Only for reads, which change nothing
    /// whenever they end: a grain activation held by a read of a hung server then fails at once, and
    /// so do the calls queued behind it, instead of waiting for the read's own timeout.
    /// </param>
    public async Task<T> RunAsync<T>(Func<Task<T>> operation, bool abandonWhenOpened = false)
    {
        ThrowIfOpen();
        var opened = openedSignal.Token;
        try
        {
            var running = operation();
            if (!running.IsCompleted)
            {
                SuspectIfSlow(running);
                if (abandonWhenOpened)
                {
                    return await running.WaitAsync(opened);
                }
            }

            return await running;
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            Suspect();
            throw new StorageUnavailableException(store, $"{store} is unavailable: {ex.Message}");
        }
        catch (OperationCanceledException) when (opened.IsCancellationRequested)
        {
            throw new StorageUnavailableException(store, $"{store} is unavailable (found down while this read waited for it).");
        }
    }

    public Task RunAsync(Func<Task> operation, bool abandonWhenOpened = false) => RunAsync(
        async () =>
        {
            await operation();
            return true;
        },
        abandonWhenOpened);

    public void Dispose() => openedSignal.Dispose();

    /// <summary>Fails at once while the store is known to be down.</summary>
    public void ThrowIfOpen()
    {
        if (open)
        {
            throw new StorageUnavailableException(store, $"{store} is unavailable (the circuit breaker is open until it answers a probe).");
        }
    }

    /// <summary>
    /// Whether a failure says the store cannot be reached, as opposed to a fault of the request
    /// (a constraint violated, bad SQL), which goes to the caller unchanged.
    /// </summary>
    public static bool IsOutage(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres when IsServerUnavailable(postgres):
                case NpgsqlException and not PostgresException:
                case RedisConnectionException or RedisTimeoutException:
                case TimeoutException or SocketException or IOException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// SQLSTATE classes that mean the server cannot serve anyone right now: connection exceptions
    /// (08), insufficient resources (53: too many connections, disk full) and operator intervention
    /// (57: shutting down, starting up), or any error Npgsql itself calls transient.
    /// </summary>
    private static bool IsServerUnavailable(PostgresException postgres) =>
        postgres.IsTransient || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
        || postgres.SqlState.StartsWith("53", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57", StringComparison.Ordinal);

    /// <summary>
    /// An operation still running after <see cref="StoreBreakerOptions.ProbeTimeout"/> makes the breaker
    /// probe as a failure would: a hung server is then known down in about two probe timeouts, while
    /// the operations already waiting on it run into their own timeouts.
    /// </summary>
    private void SuspectIfSlow(Task running) =>
        _ = running.WaitAsync(options.ProbeTimeout, clock).ContinueWith(
            waited =>
            {
                if (waited.Exception?.InnerException is TimeoutException && !running.IsCompleted)
                {
                    Suspect();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>One watcher at a time: it decides whether to open, then probes until the store is back.</summary>
    private void Suspect()
    {
        if (Interlocked.CompareExchange(ref watching, 1, 0) == 0)
        {
            _ = Task.Run(WatchAsync);
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            if (await ProbeAsync() is not { } failure)
            {
                return;
            }

            open = true;
            await openedSignal.CancelAsync();
            var since = clock.GetTimestamp();
            LogOpened(store, failure.Message, whileOpen);
            while (await ProbeAsync() is not null)
            {
                await Task.Delay(options.ProbeInterval, clock);
            }

            recovered();
            // The cancelled source is left to the collector: an operation starting now may still read its token.
            openedSignal = new();
            open = false;
            LogClosed(store, clock.GetElapsedTime(since).TotalSeconds);
        }
        finally
        {
            Volatile.Write(ref watching, 0);
        }
    }

    /// <summary>Null when the store answered within <see cref="StoreBreakerOptions.ProbeTimeout"/>, else what went wrong.</summary>
    private async Task<Exception?> ProbeAsync()
    {
        using var timeout = new CancellationTokenSource(options.ProbeTimeout, clock);
        try
        {
            // WaitAsync bounds a probe whose client ignores cancellation (a frozen server accepts
            // TCP connections and then never answers).
            await probe(timeout.Token).WaitAsync(options.ProbeTimeout, clock);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Store} is unreachable ({Reason}); until it answers again {WhileOpen}. Check that it runs and that this silo reaches it")]
    private partial void LogOpened(string store, string reason, string whileOpen);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Store} answers again after {Seconds:F1} s; calls that need it are served")]
    private partial void LogClosed(string store, double seconds);
}
