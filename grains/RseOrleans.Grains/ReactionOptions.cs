namespace RseOrleans.Grains;

/// <summary>Settings of reaction counting (configuration section "Reactions").</summary>
public sealed class ReactionOptions
{
    public const string Section = "Reactions";

    /// <summary>
    /// Shard grains a new post's reactions are spread over (1–32). Fixed per post at creation,
    /// so changing it affects new posts only.
    /// </summary>
    public int Shards { get; set; } = 8;

    /// <summary>
    /// Whether reactions to posts tell their authors (notifications of kind ReactionToPost). On by
    /// default; off, a shard keeps no notification bookkeeping at all, which is what the hot-post
    /// benchmark compares against. Comment reactions are told by the API either way.
    /// </summary>
    public bool NotifyAuthors { get; set; } = true;
}
