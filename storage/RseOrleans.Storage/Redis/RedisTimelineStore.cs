using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RseOrleans.Grains;
using RseOrleans.Grains.Durability;
using RseOrleans.Storage.Resilience;
using StackExchange.Redis;

namespace RseOrleans.Storage.Redis;

/// <summary>
/// Materialised home timelines in Redis, one binary value per user. Redis is a cache here: when it
/// is flushed, stopped or unreachable the feed grain rebuilds from PostgreSQL, so every failure is
/// logged and answered as "nothing saved" rather than passed on to the reader. Every operation goes
/// through the Redis <see cref="StoreBreaker"/>: while Redis is known to be down (stopped, or frozen
/// so that commands would wait for their timeout) feeds skip it at once.
/// </summary>
public sealed partial class RedisTimelineStore(
    IConnectionMultiplexer redis,
    [FromKeyedServices(StoreBreaker.Redis)] StoreBreaker breaker,
    IOptions<DurableStoreOptions> storeOptions,
    IOptions<FeedOptions> feedOptions,
    TimeProvider clock,
    ILogger<RedisTimelineStore> logger) : ITimelineStore
{
    private const byte FormatVersion = 1;

    /// <summary>Every <see cref="FeedOptions.TimelineSaveInterval"/>, so that a silo that dies loses little to rebuild.</summary>
    public void ScheduleSaves(IGrainBase feed, Func<Task> save)
    {
        var every = feedOptions.Value.TimelineSaveInterval;
        feed.RegisterGrainTimer(save, every, every);
    }

    public async Task<TimelineSnapshot?> LoadAsync(string userId)
    {
        try
        {
            var value = await breaker.RunAsync(() => redis.GetDatabase().StringGetAsync(Key(userId)));
            return value.IsNull ? null : Decode((byte[])value!);
        }
        catch (StorageUnavailableException ex)
        {
            LogSkipped(ex.Message, "read", userId);
            return null;
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            LogUnavailable(ex, "read", userId);
            return null;
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
        {
            LogUnreadable(ex, userId);
            return null;
        }
    }

    public async Task SaveAsync(string userId, ISavableTimeline timeline)
    {
        if (timeline.TakeSnapshotIfChanged(clock.GetUtcNow()) is not { } snapshot)
        {
            return;
        }

        try
        {
            // Idle readers' timelines expire: by the time they come back they count as inactive and
            // their feed is rebuilt anyway.
            await breaker.RunAsync(() => redis.GetDatabase().StringSetAsync(Key(userId), Encode(snapshot), feedOptions.Value.TimelineRetention));
        }
        catch (StorageUnavailableException ex)
        {
            LogSkipped(ex.Message, "write", userId);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            LogUnavailable(ex, "write", userId);
        }
    }

    private RedisKey Key(string userId) => $"{storeOptions.Value.RedisKeyPrefix}timeline:{userId}";

    internal static byte[] Encode(TimelineSnapshot snapshot)
    {
        using var buffer = new MemoryStream(64 + (snapshot.Cursors.Length * 18));
        using (var writer = new BinaryWriter(buffer))
        {
            writer.Write(FormatVersion);
            writer.Write(snapshot.SavedAt.UtcTicks);
            writer.Write(snapshot.Sources.Length);
            foreach (var source in snapshot.Sources)
            {
                writer.Write(source);
            }

            writer.Write(snapshot.Cursors.Length);
            for (var i = 0; i < snapshot.Cursors.Length; i++)
            {
                writer.Write(snapshot.Cursors[i]);
                writer.Write(snapshot.PostIds[i]);
                writer.Write(snapshot.SourceIndexes[i]);
            }
        }

        return buffer.ToArray();
    }

    internal static TimelineSnapshot? Decode(byte[] value)
    {
        using var reader = new BinaryReader(new MemoryStream(value));
        if (reader.ReadByte() != FormatVersion)
        {
            // Written by another version of the engine: rebuilding is always correct.
            return null;
        }

        var savedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        var sources = new string[reader.ReadInt32()];
        for (var i = 0; i < sources.Length; i++)
        {
            sources[i] = reader.ReadString();
        }

        var count = reader.ReadInt32();
        if (count < 0 || count > value.Length / 18)
        {
            throw new InvalidDataException($"A timeline of {count} entries cannot fit in {value.Length} bytes.");
        }

        var snapshot = new TimelineSnapshot(sources, new long[count], new long[count], new ushort[count], savedAt);
        for (var i = 0; i < count; i++)
        {
            snapshot.Cursors[i] = reader.ReadInt64();
            snapshot.PostIds[i] = reader.ReadInt64();
            snapshot.SourceIndexes[i] = reader.ReadUInt16();
        }

        return snapshot;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis could not {Operation} the timeline of {UserId}; the feed is rebuilt from PostgreSQL when needed")]
    private partial void LogUnavailable(Exception exception, string operation, string userId);

    /// <summary>Debug only: the breaker says once, as a warning, that Redis is unreachable.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis is unavailable ({Reason}): the timeline of {UserId} was not {Operation}; the feed is rebuilt from PostgreSQL when needed")]
    private partial void LogSkipped(string reason, string operation, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The saved timeline of {UserId} is unreadable; it will be rebuilt")]
    private partial void LogUnreadable(Exception exception, string userId);
}
