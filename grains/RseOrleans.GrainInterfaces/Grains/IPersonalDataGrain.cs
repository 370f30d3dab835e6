using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// Export and erasure of one user's data. Key: the user id. It reads and changes the user's
/// grains, content index, posts, reaction shards and groups; nothing calls it but the API, so it
/// adds no cycle, and one user's export and erasure never run at the same time.
/// </summary>
public interface IPersonalDataGrain : IGrainWithStringKey
{
    /// <summary>Everything stored about the user; the account tombstone alone once erased.</summary>
    Task<UserDataExport> Export();

    /// <summary>
    /// Erases the user by the policy of docs/security.md. The API has checked that the actor may.
    /// Safe to repeat: a second call finishes what an interrupted one left and changes nothing else.
    /// </summary>
    Task<ErasureReport> Erase(string actorId, string requestId);
}
