using RseOrleans.Grains.Events;
using RseOrleans.Model;

namespace RseOrleans.Grains.Groups;

[GenerateSerializer]
[Alias("rse.GroupState")]
public sealed class GroupState : IHoldsOutbox
{
    [Id(0)]
    public GroupSpec? Spec { get; set; }

    [Id(1)]
    public string CreatedBy { get; set; } = "";

    [Id(2)]
    public DateTimeOffset CreatedAt { get; set; }

    // Id 3 held the members before they were kept apart (GroupMembers, IMemberSetStore); no release stored it.

    [Id(4)]
    public Dictionary<string, DateTimeOffset> JoinRequests { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The request that created the group: the grain's own answer to its creator calling Create
    /// again, however long after (the API answers retries of recent calls before they get here).
    /// </summary>
    [Id(6)]
    public string? CreatedByRequest { get; set; }

    /// <summary>Engine events stored with the changes they tell, until acknowledged (see <see cref="EventOutbox{TState}"/>).</summary>
    [Id(7)]
    public List<EngineEvent>? PendingEvents { get; set; }
}
