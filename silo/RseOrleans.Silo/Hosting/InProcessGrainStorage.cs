using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Session;
using Orleans.Storage;

namespace RseOrleans.Silo.Hosting;

/// <summary>
/// The embedded default's grain storage: every state serialized, in this process's memory, for its
/// one silo. Orleans' memory storage keeps states in storage grains so that several silos can share
/// them, which costs a grain call and a copy of the bytes per read and per write; with one silo the
/// states can stay where the grains are. Serialized, not referenced: a state changed but never
/// written is not what the next activation reads. Writes check the ETag as a database does.
/// A state is serialized into pooled buffers and kept in an array of its own size: one allocation
/// per write, where the storage serializer's array grows as it writes and is then copied.
/// </summary>
public sealed class InProcessGrainStorage(Serializer serializer, SerializerSessionPool sessions) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), Stored> states = new();
    private long lastETag;

    /// <summary>The bytes the arrays of the stored states take (a test's view of what is kept).</summary>
    public long StoredBytes => states.Values.Sum(stored => (long)stored.Data.Length);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (states.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.Data);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        var written = new Stored(Serialize(grainState.State), NextETag());
        var stored = grainState.ETag is null
            ? states.TryAdd(key, written)
            : states.TryGetValue(key, out var current) && current.ETag == grainState.ETag && states.TryUpdate(key, written, current);
        if (!stored)
        {
            throw new InconsistentStateException($"The {stateName} state of {grainId} was written by another activation.", StoredETag(key), grainState.ETag);
        }

        grainState.ETag = written.ETag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        if (states.TryGetValue(key, out var current))
        {
            if (current.ETag != grainState.ETag || !states.TryRemove(new KeyValuePair<(string, GrainId), Stored>(key, current)))
            {
                throw new InconsistentStateException($"The {stateName} state of {grainId} was written by another activation.", StoredETag(key), grainState.ETag);
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>
    /// The state's bytes in an array of their own size: a stored state lives as long as its grain is
    /// registered, and a serializer's buffer can be twice as large.
    /// </summary>
    private byte[] Serialize<T>(T state)
    {
        using var session = sessions.GetSession();
        var writer = Writer.CreatePooled(session);
        try
        {
            serializer.Serialize(state, ref writer);
            return writer.Output.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    private string NextETag() => Interlocked.Increment(ref lastETag).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string StoredETag((string, GrainId) key) => states.TryGetValue(key, out var stored) ? stored.ETag : "none";

    private sealed record Stored(byte[] Data, string ETag);
}
