using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using StackExchange.Redis;

namespace RseOrleans.Silo.Hosting;

/// <summary>
/// Puts the Redis membership table back when Redis loses it (FLUSHALL, a restart without
/// persistence, an eviction). Orleans' Redis clustering cannot recover by itself: every read then
/// fails with "The Redis membership table version is missing", every heartbeat with a Lua error,
/// no silo can join or leave, and a graceful stop waits out its membership timeout.
/// </summary>
/// <remarks>
/// The table is one Redis hash: a field "Version" (the table version, an integer) and one field per
/// silo, its entry as the provider wrote it. Each silo keeps a copy of the hash, read every
/// <see cref="Period"/>. When the hash has no version, or a version older than the copy (the table
/// was recreated), the keeper writes its copy back in one script: the version is raised to the
/// copy's, and only missing silo fields are added, so that whatever the cluster wrote since stays
/// and every keeper may do it, in any order. No version newer than a silo's own view is invented,
/// so no silo reads a newer table without its own entry (which would make it stop itself). A silo
/// that joined less than a period before the loss is in no copy: it stops and is restarted.
/// </remarks>
public sealed partial class MembershipTableKeeper(
    IConnectionMultiplexer redis,
    IOptions<RedisClusteringOptions> clustering,
    IOptions<ClusterOptions> cluster,
    ILogger<MembershipTableKeeper> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private const string VersionField = "Version";

    // ARGV[1] is the copy's version, then field, value pairs. Returns how many fields it wrote.
    private const string RestoreScript =
        """
        local current = tonumber(redis.call('HGET', KEYS[1], 'Version') or '-1')
        local written = 0
        if current < tonumber(ARGV[1]) then
            redis.call('HSET', KEYS[1], 'Version', ARGV[1])
            written = 1
        end
        for i = 2, #ARGV, 2 do
            written = written + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        return written
        """;

    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;
    private HashEntry[]? copy;
    private int copyVersion;

    public void Participate(ISiloLifecycle lifecycle) =>
        // Started before membership and stopped after it: a silo leaving the cluster must find the table.
        lifecycle.Subscribe(nameof(MembershipTableKeeper), ServiceLifecycleStage.RuntimeInitialize, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        running = Task.Run(KeepAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await running.WaitAsync(cancellationToken);
    }

    public void Dispose() => stopping.Dispose();

    private async Task KeepAsync()
    {
        var key = clustering.Value.CreateRedisKey(cluster.Value);
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                try
                {
                    await CheckAsync(redis.GetDatabase(), key);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Redis is down: nothing to check until it is back. Orleans logs its own failures.
                    LogUnreachable(ex.GetType().Name);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A table this keeper cannot read or write must not end the keeping.
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(IDatabase database, RedisKey key)
    {
        var table = await database.HashGetAllAsync(key);
        var version = table.FirstOrDefault(field => field.Name == VersionField).Value;
        var current = version.HasValue ? int.Parse(version.ToString(), CultureInfo.InvariantCulture) : (int?)null;
        if (copy is not null && (current is null || current < copyVersion))
        {
            var arguments = new List<RedisValue> { copyVersion.ToString(CultureInfo.InvariantCulture) };
            foreach (var silo in copy.Where(field => field.Name != VersionField))
            {
                arguments.Add(silo.Name);
                arguments.Add(silo.Value);
            }

            var written = (int)await database.ScriptEvaluateAsync(RestoreScript, [key], [.. arguments]);
            if (written > 0)
            {
                LogRestored(key.ToString(), current?.ToString(CultureInfo.InvariantCulture) ?? "missing", copyVersion, copy.Length - 1);
            }

            return;
        }

        if (current is not null)
        {
            copy = table;
            copyVersion = current.Value;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The Redis membership table {Key} was lost (version {Found}; Redis flushed or restarted without persistence): " +
                  "restored version {Version} with the {Silos} silo entries this silo knew")]
    private partial void LogRestored(string key, string found, int version, int silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The membership table could not be checked")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The membership table could not be checked: Redis does not answer ({Exception})")]
    private partial void LogUnreachable(string exception);
}
