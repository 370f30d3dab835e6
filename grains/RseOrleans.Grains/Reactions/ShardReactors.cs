using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>
/// Who gave each reaction type on a shard, read two ways: the count per type, which the post
/// shows, and one user's own reactions, which answer their call. Kept as one set per type
/// because a user counts once per type and a count is then the set's size.
/// </summary>
/// <remarks>
/// It also remembers the users who took every reaction back during this activation. Everyone
/// in the sets was noted for erasure before their first change was stored
/// (<see cref="ReactionNoting"/>), and a note is never withdrawn, so such a user reacting again
/// needs no new note: a user toggling a reaction does not grow the notes.
/// </remarks>
internal sealed class ShardReactors(IPersistentState<ReactionShardState> state)
{
    private readonly HashSet<string> leftThisActivation = new(StringComparer.Ordinal);

    private Dictionary<ReactionType, HashSet<string>> Sets => state.State.Reactors;

    /// <summary>Applies a change; the last change of a user and type decides, so replaying one is harmless.</summary>
    public void Apply(ShardChange change)
    {
        if (!Sets.TryGetValue(change.Type, out var reactors))
        {
            Sets[change.Type] = reactors = new HashSet<string>(StringComparer.Ordinal);
        }

        if (change.IsAdd)
        {
            reactors.Add(change.UserId);
            leftThisActivation.Remove(change.UserId);
        }
        else if (reactors.Remove(change.UserId) && !HasReactions(change.UserId))
        {
            leftThisActivation.Add(change.UserId);
        }
    }

    /// <summary>Whether the user's reactions here are noted for erasure already (see the remarks).</summary>
    public bool IsNoted(string userId) => HasReactions(userId) || leftThisActivation.Contains(userId);

    /// <summary>Removes every reaction of an erased user; returns how many there were.</summary>
    public int Erase(string userId)
    {
        leftThisActivation.Remove(userId);
        var removed = 0;
        foreach (var reactors in Sets.Values)
        {
            removed += reactors.Remove(userId) ? 1 : 0;
        }

        return removed;
    }

    public Dictionary<ReactionType, int> Counts() =>
        Sets.Where(r => r.Value.Count > 0).ToDictionary(r => r.Key, r => r.Value.Count);

    /// <summary>The user's own reactions, sorted.</summary>
    public ReactionType[] Of(string userId)
    {
        var count = 0;
        Span<ReactionType> theirs = stackalloc ReactionType[Sets.Count];
        foreach (var (type, reactors) in Sets)
        {
            if (reactors.Contains(userId))
            {
                theirs[count++] = type;
            }
        }

        if (count == 0)
        {
            return [];
        }

        theirs = theirs[..count];
        theirs.Sort();
        return theirs.ToArray();
    }

    // Loops rather than LINQ: these run on every reaction, where a closure and a boxed enumerator
    // per call add up.
    public bool HasReactions(string userId)
    {
        foreach (var reactors in Sets.Values)
        {
            if (reactors.Contains(userId))
            {
                return true;
            }
        }

        return false;
    }
}
