namespace RseOrleans.Grains;

/// <summary>
/// The sources whose audience is too large to push to: their posts are pulled into feeds at read
/// time instead. One registry for the cluster (key 0); silos cache it for a moment.
/// </summary>
public interface IPullRegistryGrain : IGrainWithIntegerKey
{
    Task Add(string sourceKey);

    Task Remove(string sourceKey);

    [AlwaysInterleave]
    Task<IReadOnlyCollection<string>> GetPulledSources();
}
