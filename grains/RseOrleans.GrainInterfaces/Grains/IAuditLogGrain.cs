using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// The network's audit log of moderation and admin actions. One grain, key
/// <see cref="NetworkKey"/>. Others call it; it calls nothing, so it adds no cycle.
/// </summary>
public interface IAuditLogGrain : IGrainWithStringKey
{
    public const string NetworkKey = "network";

    /// <summary>Appends the action unless an entry with the same key is there already.</summary>
    Task Record(AuditRecord record);

    /// <summary>Entries newest first, strictly before <paramref name="before"/> when given.</summary>
    [AlwaysInterleave]
    Task<AuditPage> List(long? before, int pageSize);
}
