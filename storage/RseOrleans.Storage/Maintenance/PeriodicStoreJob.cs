using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Maintenance;

/// <summary>
/// Housekeeping of a PostgreSQL table in durable mode, run on every silo every <see cref="Interval"/>
/// (the first run <see cref="FirstRunAfter"/> the start: a silo starting has better to do, and a crash
/// loop should not run it each time), one silo at a time: a PostgreSQL advisory lock named by
/// <see cref="LockKey"/> is held for the run, and a silo that finds it taken skips the run.
/// </summary>
public abstract partial class PeriodicStoreJob(NpgsqlDataSource database, StoreBreaker breaker, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock => clock;

    /// <summary>Names the lock that makes one silo at a time run the job; a constant shared by all silos, its own per job.</summary>
    protected abstract long LockKey { get; }

    protected abstract TimeSpan Interval { get; }

    protected virtual TimeSpan FirstRunAfter => TimeSpan.FromMinutes(5);

    /// <summary>What the job is, for the log.</summary>
    protected abstract string Name { get; }

    /// <summary>One run's work, the lock held on <paramref name="connection"/>; returns how many rows it deleted.</summary>
    protected abstract Task<long> WorkAsync(NpgsqlConnection connection, CancellationToken cancellationToken);

    /// <summary>One run now: its rows deleted, or nothing when another silo is at it. Returns how many went.</summary>
    public Task<long> RunOnceAsync(CancellationToken cancellationToken = default) => breaker.RunAsync(async () =>
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (await ScalarAsync(connection, $"SELECT pg_try_advisory_lock({LockKey})", cancellationToken) is not true)
        {
            return 0L;
        }

        try
        {
            return await WorkAsync(connection, cancellationToken);
        }
        finally
        {
            await ScalarAsync(connection, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(FirstRunAfter, clock, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var deleted = await RunOnceAsync(stoppingToken);
                    if (deleted > 0)
                    {
                        LogDeleted(logger, Name, deleted);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e, Name, Interval);
                }

                await Task.Delay(Interval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Runs <paramref name="sql"/>, a delete of a bounded batch that returns how many rows it deleted,
    /// until a batch deletes none: each batch its own statement and transaction, so no run holds
    /// locks for long. Returns the rows deleted in all.
    /// </summary>
    protected static async Task<long> DeleteUntilNoneAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        long deleted = 0;
        long batch;
        do
        {
            batch = (long)(await ScalarAsync(connection, sql, cancellationToken, values))!;
            deleted += batch;
        }
        while (batch > 0);

        return deleted;
    }

    protected static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value is DateTimeOffset at ? at.ToUniversalTime() : value });
        }

        return await command.ExecuteScalarAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Job}: {Deleted} rows older than the retention deleted")]
    private static partial void LogDeleted(ILogger logger, string job, long deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Job} failed; the next run, in {Interval}, tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception, string job, TimeSpan interval);
}
