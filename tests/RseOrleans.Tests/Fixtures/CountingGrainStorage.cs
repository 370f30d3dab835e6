using System.Collections.Concurrent;
using System.Net.Sockets;
using Orleans.Serialization;
using Orleans.Storage;

namespace RseOrleans.Tests.Fixtures;

/// <summary>
/// In-memory grain storage, like the embedded default's (states are deep copies, writes check the
/// ETag and take a moment), that also counts writes per grain type, so tests can check how often
/// the engine writes, and can fail the writes of a grain type as an unreachable database would.
/// </summary>
public sealed class CountingGrainStorage(DeepCopier copier) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), (object State, string ETag)> states = new();
    private readonly ConcurrentDictionary<string, int> writesByGrainType = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> writesByStateName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string State, GrainId Grain), int> writesByGrain = new();
    private readonly ConcurrentDictionary<string, bool> failingGrainTypes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<GrainId, bool> failingGrains = new();
    private volatile Func<GrainId, bool>? failing;

    public int WritesOf(string grainType) => writesByGrainType.GetValueOrDefault(grainType);

    /// <summary>Writes of the persistent state named <paramref name="stateName"/>, whatever the grain.</summary>
    public int WritesOfState(string stateName) => writesByStateName.GetValueOrDefault(stateName);

    /// <summary>Writes of the persistent state named <paramref name="stateName"/> of one grain.</summary>
    public int WritesOf(string stateName, GrainId grainId) => writesByGrain.GetValueOrDefault((stateName, grainId));

    /// <summary>What is stored as <paramref name="stateName"/> of <paramref name="grainId"/>, if anything.</summary>
    public T? Stored<T>(string stateName, GrainId grainId) =>
        states.TryGetValue((stateName, grainId), out var stored) ? copier.Copy((T)stored.State) : default;

    /// <summary>Writes of <paramref name="grainType"/> fail, with the error of a refused connection, until the result is disposed.</summary>
    public IDisposable FailWritesOf(string grainType)
    {
        failingGrainTypes[grainType] = true;
        return new Outage(() => failingGrainTypes.TryRemove(grainType, out _));
    }

    /// <summary>Writes of one grain fail, as <see cref="FailWritesOf(string)"/>, until the result is disposed.</summary>
    public IDisposable FailWritesOf(GrainId grainId)
    {
        failingGrains[grainId] = true;
        return new Outage(() => failingGrains.TryRemove(grainId, out _));
    }

    /// <summary>Writes fail, as <see cref="FailWritesOf(string)"/>, whenever <paramref name="fails"/> says so (asked at each write), until the result is disposed.</summary>
    public IDisposable FailWritesWhen(Func<GrainId, bool> fails)
    {
        failing = fails;
        return new Outage(() => failing = null);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (states.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = copier.Copy((T)stored.State);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // A write is a round trip to a store, never instantaneous.
        await Task.Delay(1);
        if (failingGrainTypes.ContainsKey(grainId.Type.ToString()!) || failingGrains.ContainsKey(grainId) || failing?.Invoke(grainId) == true)
        {
            throw new SocketException((int)SocketError.ConnectionRefused);
        }

        var key = (stateName, grainId);
        var etag = Guid.NewGuid().ToString("N");
        var copy = copier.Copy(grainState.State)!;
        var written = grainState.ETag is null
            ? states.TryAdd(key, (copy, etag))
            : states.TryGetValue(key, out var current) && current.ETag == grainState.ETag && states.TryUpdate(key, (copy, etag), current);
        if (!written)
        {
            throw new InconsistentStateException($"Stale ETag writing {stateName} of {grainId}.");
        }

        writesByGrainType.AddOrUpdate(grainId.Type.ToString()!, 1, (_, count) => count + 1);
        writesByStateName.AddOrUpdate(stateName, 1, (_, count) => count + 1);
        writesByGrain.AddOrUpdate(key, 1, (_, count) => count + 1);
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        states.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
