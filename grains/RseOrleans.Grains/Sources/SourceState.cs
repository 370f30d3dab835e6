using RseOrleans.Grains.Infrastructure;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// Followers of a user, or members of a group: who receives the source's posts. A derived copy:
/// follows are owned by the followers' user grains, membership by the group grain (repair:
/// RepairDerivedCopies). A profile's followers are stored here, apart from <see cref="SourceState"/>
/// because they change with follows, not with posts. A group's members are not stored here: the
/// group keeps them one row each, and its source takes them from the group when it activates.
/// </summary>
[GenerateSerializer]
[Alias("rse.SourceAudienceState")]
public sealed class DerivedAudienceState
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

    /// <summary>Which recent requests created which posts: a retry of a post stored late is answered, not posted again.</summary>
    [Id(7)]
    public RequestStamps Requests { get; set; } = new();
}
