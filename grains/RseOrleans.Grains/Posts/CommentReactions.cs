using RseOrleans.Model;

namespace RseOrleans.Grains.Posts;

/// <summary>
/// The reactions on a post's comments: for each comment, who reacted with which types. Part of the
/// post's state, unlike the post's own reactions (see <see cref="IReactionShardGrain"/>): comments
/// are many per post but cold, each takes few reactions, and the post grain already owns them, so
/// one write of the post's state keeps a reaction and its comment together, exact and durable,
/// bounded by the post's comments and their reactors.
/// </summary>
[GenerateSerializer]
[Alias("rse.CommentReactions")]
public sealed class CommentReactions
{
    private static readonly IReadOnlyDictionary<ReactionType, int> EmptyCounts = new Dictionary<ReactionType, int>();

    private static readonly Dictionary<long, Dictionary<string, int>> NoComments = [];

    /// <summary>
    /// Per comment, per person, the types they reacted with: a bit per <see cref="ReactionType"/>.
    /// Null until the first reaction: most posts in memory have none, and each would hold an empty table.
    /// </summary>
    [Id(0)]
    public Dictionary<long, Dictionary<string, int>>? ByComment { get; set; }

    public bool IsEmpty => Reactions.Count == 0;

    // For reads only: never written to.
    private Dictionary<long, Dictionary<string, int>> Reactions => ByComment ?? NoComments;

    /// <summary>Adds or removes one reaction; false when it was already so (a person reacts once per type).</summary>
    public bool Apply(long commentId, string userId, ReactionType type, bool remove)
    {
        var bit = Bit(type);
        var reactors = Reactions.GetValueOrDefault(commentId);
        var mask = reactors?.GetValueOrDefault(userId) ?? 0;
        var changed = remove ? mask & ~bit : mask | bit;
        if (changed == mask)
        {
            return false;
        }

        if (reactors is null)
        {
            (ByComment ??= [])[commentId] = reactors = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        if (changed == 0)
        {
            reactors.Remove(userId);
            if (reactors.Count == 0)
            {
                ByComment?.Remove(commentId);
            }
        }
        else
        {
            reactors[userId] = changed;
        }

        return true;
    }

    /// <summary>Exact counts, one entry per type that has any.</summary>
    public IReadOnlyDictionary<ReactionType, int> CountsOf(long commentId)
    {
        if (!Reactions.TryGetValue(commentId, out var reactors))
        {
            return EmptyCounts;
        }

        var counts = new Dictionary<ReactionType, int>();
        foreach (var mask in reactors.Values)
        {
            foreach (var type in TypesOf(mask))
            {
                counts[type] = counts.GetValueOrDefault(type) + 1;
            }
        }

        return counts;
    }

    /// <summary>The types <paramref name="userId"/> reacted with to the comment, in type order.</summary>
    public IReadOnlyList<ReactionType> Of(long commentId, string userId) =>
        Reactions.TryGetValue(commentId, out var reactors) && reactors.TryGetValue(userId, out var mask) ? TypesOf(mask) : [];

    /// <summary>Every reaction of <paramref name="userId"/> on this post's comments.</summary>
    public IReadOnlyList<(long CommentId, ReactionType Type)> AllOf(string userId) =>
        [.. Reactions.OrderBy(entry => entry.Key)
            .Where(entry => entry.Value.ContainsKey(userId))
            .SelectMany(entry => TypesOf(entry.Value[userId]).Select(type => (entry.Key, type)))];

    /// <summary>Drops the reactions of removed comments.</summary>
    public void Forget(IEnumerable<long> commentIds)
    {
        foreach (var commentId in commentIds)
        {
            ByComment?.Remove(commentId);
        }
    }

    /// <summary>Removes every reaction of an erased person; returns how many.</summary>
    public int Erase(string userId)
    {
        var removed = 0;
        foreach (var (commentId, reactors) in Reactions.ToArray())
        {
            if (reactors.Remove(userId, out var mask))
            {
                removed += TypesOf(mask).Count;
                if (reactors.Count == 0)
                {
                    ByComment?.Remove(commentId);
                }
            }
        }

        return removed;
    }

    private static int Bit(ReactionType type) => 1 << (int)type;

    private static IReadOnlyList<ReactionType> TypesOf(int mask) =>
        [.. Enum.GetValues<ReactionType>().Where(type => (mask & Bit(type)) != 0)];
}
