using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using RseOrleans.Model;

namespace RseOrleans.Grains.Durability;

/// <summary>
/// The members of one set (a group's members, key "group:&lt;id&gt;") as loaded by its owner, which
/// changes <see cref="Members"/> and then writes the ids it changed. <see cref="Version"/> belongs
/// to the store (the embedded one keeps an ETag there); the owner never reads it.
/// </summary>
public sealed class StoredMemberSet(string setKey, Dictionary<string, GroupMember> members, string? version)
{
    public string SetKey => setKey;

    public Dictionary<string, GroupMember> Members => members;

    public string? Version { get; set; } = version;
}

/// <summary>
/// Where a group's members are kept. In durable mode one PostgreSQL row per member, so a change
/// writes what changed only: joining a group of 100,000 costs what joining a group of 10 does.
/// The embedded default keeps the set as one value in grain storage (memory), as nothing outlives
/// the process there. Only the set's owner (one activation) writes it.
/// </summary>
public interface IMemberSetStore
{
    /// <summary>The set as stored; empty when nothing was stored under the key.</summary>
    Task<StoredMemberSet> LoadAsync(string setKey);

    /// <summary>
    /// Stores the members of <paramref name="changed"/> as they now are in <paramref name="set"/>:
    /// written when present, removed when absent; all of them or none.
    /// </summary>
    Task WriteAsync(StoredMemberSet set, IReadOnlyCollection<string> changed);
}

/// <summary>The set as stored by <see cref="GrainStorageMemberSetStore"/>.</summary>
[GenerateSerializer]
[Alias("rse.MemberSetState")]
public sealed class MemberSetState
{
    [Id(0)]
    public Dictionary<string, GroupMember> Members { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The embedded default: the whole set as one grain-storage value under its own id, with an ETag
/// so that a second writer is refused rather than overwriting.
/// </summary>
public sealed class GrainStorageMemberSetStore(IServiceProvider services) : IMemberSetStore
{
    private const string StateName = "member-set";

    private IGrainStorage? storage;

    // Resolved at first use: the storage providers are registered by the host after the grain services.
    private IGrainStorage Storage => storage ??= services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Main);

    public async Task<StoredMemberSet> LoadAsync(string setKey)
    {
        var stored = new GrainState<MemberSetState>(new MemberSetState());
        await Storage.ReadStateAsync(StateName, IdOf(setKey), stored);
        var members = new Dictionary<string, GroupMember>(stored.State?.Members ?? [], StringComparer.Ordinal);
        return new StoredMemberSet(setKey, members, stored.ETag);
    }

    public async Task WriteAsync(StoredMemberSet set, IReadOnlyCollection<string> changed)
    {
        if (changed.Count == 0)
        {
            return;
        }

        // The memory storage grain's call copies the value as it is sent: the owner's later changes stay out of it.
        var stored = new GrainState<MemberSetState>(new MemberSetState { Members = set.Members })
        {
            ETag = set.Version,
            RecordExists = set.Version is not null,
        };
        await Storage.WriteStateAsync(StateName, IdOf(set.SetKey), stored);
        set.Version = stored.ETag;
    }

    private static GrainId IdOf(string setKey) => GrainId.Create(StateName, setKey);
}
