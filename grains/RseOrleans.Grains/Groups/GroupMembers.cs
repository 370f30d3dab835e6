using System.Diagnostics.CodeAnalysis;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Groups;

/// <summary>
/// A group's members and roles: the owner of these facts (every other copy is derived from them)
/// and the rules on them. Changes are made in memory and stored by <see cref="SaveAsync"/>, which
/// writes the members changed since the last save only: one row per change in durable mode.
/// </summary>
internal sealed class GroupMembers(IMemberSetStore store, StoredMemberSet stored)
{
    private readonly HashSet<string> changed = new(StringComparer.Ordinal);
    private string[]? sorted;

    public static async Task<GroupMembers> LoadAsync(IMemberSetStore store, string setKey) =>
        new(store, await store.LoadAsync(setKey));

    public int Count => All.Count;

    public IEnumerable<GroupMember> Members => All.Values;

    public IEnumerable<string> Ids => All.Keys;

    private Dictionary<string, GroupMember> All => stored.Members;

    public bool Contains(string userId) => All.ContainsKey(userId);

    public bool TryGet(string userId, [MaybeNullWhen(false)] out GroupMember member) => All.TryGetValue(userId, out member);

    public GroupMember this[string userId] => All[userId];

    public GroupRole RoleOf(string userId) => All.TryGetValue(userId, out var member) ? member.Role : GroupRole.None;

    /// <summary>
    /// Adds a member who joins now. The time is kept to the microsecond, as PostgreSQL keeps it, so
    /// that a restart gives back exactly what was answered before it.
    /// </summary>
    public void Add(string userId, GroupRole role, DateTimeOffset now)
    {
        var joinedAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
        All[userId] = new GroupMember(userId, role, joinedAt);
        Changed(userId);
    }

    public void Remove(string userId)
    {
        if (All.Remove(userId))
        {
            Changed(userId);
        }
    }

    public void SetRole(string userId, GroupRole role)
    {
        All[userId] = All[userId] with { Role = role };
        Changed(userId);
    }

    /// <summary>A group keeps at least one owner.</summary>
    public void EnsureAnotherOwnerRemains(string userId)
    {
        if (RoleOf(userId) == GroupRole.Owner && All.Values.Count(member => member.Role == GroupRole.Owner) == 1)
        {
            throw DomainException.Precondition("A group keeps at least one owner: make another member owner first.");
        }
    }

    /// <summary>
    /// Who becomes owner when <paramref name="leavingOwner"/>, the last owner, goes: the remaining
    /// member of highest role, then the longest-standing; null when someone else owns the group
    /// already or nobody remains.
    /// </summary>
    public string? SuccessorOf(string leavingOwner)
    {
        if (RoleOf(leavingOwner) != GroupRole.Owner || All.Values.Any(m => m.Role == GroupRole.Owner && m.UserId != leavingOwner))
        {
            return null;
        }

        return All.Values
            .Where(m => m.UserId != leavingOwner)
            .OrderByDescending(m => m.Role)
            .ThenBy(m => m.JoinedAt)
            .ThenBy(m => m.UserId, StringComparer.Ordinal)
            .FirstOrDefault()?.UserId;
    }

    public MemberPage Page(string? after, int pageSize)
    {
        sorted ??= SortedPage.Sort(All.Keys);
        var (items, next) = SortedPage.After(sorted, after, pageSize);
        return new MemberPage(items.Select(id => All[id]).ToArray(), next);
    }

    /// <summary>
    /// Stores the members changed since the last save. A failure throws, and the storage failure
    /// filter drops the activation, so nothing unsaved is ever answered from memory.
    /// </summary>
    public async Task SaveAsync()
    {
        if (changed.Count == 0)
        {
            return;
        }

        await store.WriteAsync(stored, changed);
        changed.Clear();
    }

    private void Changed(string userId)
    {
        changed.Add(userId);
        sorted = null;
    }
}
