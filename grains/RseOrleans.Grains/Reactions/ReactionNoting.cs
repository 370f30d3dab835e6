using RseOrleans.Model;

namespace RseOrleans.Grains.Reactions;

/// <summary>
/// Holds a user's changes back until their reaction note is durable. Erasure finds a user's
/// reactions through the notes of their bucket (<see cref="IReactionNotesGrain"/>), so a reaction
/// stored without its note is one erasure would miss; and a write stores whatever the state holds
/// when the storage copies it, so a change waiting for its note waits outside the state.
/// </summary>
/// <remarks>
/// The notes of a whole commit go in one call per bucket, made by the commit before its write:
/// a hot post pays a call or two per commit, not a call and a write per reaction. This is also
/// where a shard learns which users were erased (from erasure, or from a notes grain refusing
/// them): it refuses them at once, while the notes grains refuse them for good.
/// </remarks>
internal sealed class ReactionNoting(
    IGrainFactory grains,
    ReactionRef reaction,
    int period,
    ShardReactors reactors,
    Action<ShardChange> apply)
{
    /// <summary>Changes of users not noted yet, in the order they came; applied once noted.</summary>
    private readonly List<ShardChange> unnoted = [];
    private readonly HashSet<string> unnotedUsers = new(StringComparer.Ordinal);

    /// <summary>Erased users this activation heard of.</summary>
    private readonly HashSet<string> erased = new(StringComparer.Ordinal);

    /// <summary>Applies a change at once, or holds it behind the user's note; refuses an erased user.</summary>
    public void Accept(ShardChange change)
    {
        ThrowIfErased(change.UserId);
        if (unnotedUsers.Contains(change.UserId) || (change.IsAdd && !reactors.IsNoted(change.UserId)))
        {
            // Behind the user's earlier changes that wait for the note too, so they apply in order.
            unnotedUsers.Add(change.UserId);
            unnoted.Add(change);
        }
        else
        {
            apply(change);
        }
    }

    /// <summary>
    /// Notes the users whose changes wait, one call per bucket, and applies their changes once
    /// every note is durable. If a call fails nothing is applied: the changes wait for the next
    /// commit, which notes them again (a note twice is harmless, a reaction without one is not).
    /// </summary>
    public async Task NoteWaitingAsync()
    {
        if (unnotedUsers.Count == 0)
        {
            return;
        }

        var users = unnotedUsers.ToArray();
        var refused = await Task.WhenAll(users
            .GroupBy(ReactionNotes.BucketOf)
            .Select(bucket => grains.GetGrain<IReactionNotesGrain>(ReactionNotes.Key(bucket.Key, period)).Note(reaction, [.. bucket])));
        erased.UnionWith(refused.SelectMany(refusedByBucket => refusedByBucket));

        // Users who came during the calls are not noted yet: their changes wait for the next commit.
        var noted = users.ToHashSet(StringComparer.Ordinal);
        var waiting = new List<ShardChange>();
        foreach (var change in unnoted)
        {
            if (!noted.Contains(change.UserId))
            {
                waiting.Add(change);
            }
            else if (!erased.Contains(change.UserId))
            {
                apply(change);
            }
        }

        unnoted.Clear();
        unnoted.AddRange(waiting);
        unnotedUsers.ExceptWith(noted);
    }

    /// <summary>
    /// Refuses the user from now on and drops whatever of theirs still waits: erasure calls this
    /// once the user's notes are sealed, so those changes would be refused anyway.
    /// </summary>
    public void Erase(string userId)
    {
        erased.Add(userId);
        if (unnotedUsers.Remove(userId))
        {
            unnoted.RemoveAll(change => change.UserId == userId);
        }
    }

    /// <summary>The refusal of an erased user, or null.</summary>
    public DomainException? RefusalOf(string userId) =>
        erased.Contains(userId) ? DomainException.Denied($"The account '{userId}' was erased.") : null;

    public void ThrowIfErased(string userId)
    {
        if (RefusalOf(userId) is { } refusal)
        {
            throw refusal;
        }
    }
}
