using Orleans.Storage;

namespace RseOrleans.Storage.Resilience;

/// <summary>
/// Grain state storage behind a <see cref="StoreBreaker"/>: while the store is down a grain's read or
/// write fails at once, and whatever failed reaches the caller as <see cref="StorageUnavailableException"/>,
/// which crosses silos. A stale ETag (<see cref="InconsistentStateException"/>) is not an outage and
/// passes unchanged.
/// </summary>
public sealed class BreakerGrainStorage(IGrainStorage storage, StoreBreaker breaker) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Abandoned when the breaker opens: an activation stuck on a hung server fails at once.</summary>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        breaker.RunAsync(() => storage.ReadStateAsync(stateName, grainId, grainState), abandonWhenOpened: true);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        breaker.RunAsync(() => storage.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        breaker.RunAsync(() => storage.ClearStateAsync(stateName, grainId, grainState));

    /// <summary>The provider initialises itself in the silo's lifecycle, as it would undecorated.</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        (storage as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
