namespace RseOrleans.Grains.Sources;

/// <summary>
/// Followers of a user, or members of a group: who receives the source's posts. Stored apart from
/// <see cref="SourceState"/> because it changes with follows and memberships, not with posts: a post
/// to a group of 10,000 must not rewrite 10,000 member ids.
/// </summary>
[GenerateSerializer]
[Alias("rse.SourceAudienceState")]
public sealed class SourceAudienceState
{
    [Id(0)]
    public HashSet<string> Members { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>What a source writes with every post.</summary>
[GenerateSerializer]
[Alias("rse.SourceState")]
public sealed class SourceState
{
    /// <summary>The most recent post ids, oldest first.</summary>
    [Id(1)]
    public List<long> Recent { get; set; } = [];

    /// <summary>True while the audience is too large to push to: feeds pull the posts instead.</summary>
    [Id(3)]
    public bool Pulled { get; set; }

    /// <summary>The first post published while pulled: where a return to push resumes pushing from.</summary>
    [Id(4)]
    public long PulledSince { get; set; }

    /// <summary>
    /// Posts acknowledged to their author whose fan-out may not have finished. Cleared in memory when
    /// it finishes and stored with the next write: a leftover only costs a redundant, idempotent
    /// delivery after a restart.
    /// </summary>
    [Id(5)]
    public List<long> PendingFanout { get; set; } = [];

    /// <summary>The profile of an erased user: no posts, no new followers.</summary>
    [Id(6)]
    public bool Closed { get; set; }
}
