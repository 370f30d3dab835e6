using RseOrleans.Grains.Events;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Users;

[GenerateSerializer]
[Alias("rse.UserState")]
public sealed class UserState : IHoldsOutbox
{
    [Id(0)]
    public UserProfile? Profile { get; set; }

    [Id(1)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(2)]
    public DateTimeOffset UpdatedAt { get; set; }

    [Id(5)]
    public NetworkRole Role { get; set; } = NetworkRole.Member;

    [Id(6)]
    public AccountStatus Status { get; set; } = AccountStatus.Active;

    [Id(7)]
    public DateTimeOffset? StatusChangedAt { get; set; }

    /// <summary>Engine events stored with the changes they tell, until acknowledged (see <see cref="EventOutbox{TState}"/>).</summary>
    [Id(14)]
    public List<EngineEvent>? PendingEvents { get; set; }

    // Every active user holds these: a sorted set costs 56 bytes for one id where a hash set cost
    // about 176. Created at first use: most users are in no group and have no pending request.
    [Id(10)]
    private SortedIdSet? following;

    [Id(11)]
    private SortedIdSet? groups;

    [Id(12)]
    private SortedIdSet? joinRequests;

    /// <summary>
    /// What this person is known to hold nothing of: a copy derived from the bookmarks and
    /// notifications grains, which clear it before they first store anything. Accounts stored
    /// before it existed read None, "may hold", which is always safe.
    /// </summary>
    [Id(13)]
    public PersonalHoldings KnownEmpty { get; set; }

    /// <summary>The users this user follows, in ordinal order: the owner of follows (the audiences and feeds hold copies).</summary>
    public SortedIdSet Following => following ??= new();

    /// <summary>The user's groups. A derived copy: the group grains own membership (repair: RepairDerivedCopies).</summary>
    public SortedIdSet GroupsCopy => groups ??= new();

    /// <summary>The groups the user asked to join and has not heard back from. A derived copy: the group grains own join requests.</summary>
    public SortedIdSet JoinRequestsCopy => joinRequests ??= new();

    /// <summary>
    /// Followed users and groups are held by many users on a silo: each state read from storage
    /// takes the shared instances rather than keeping copies of its own.
    /// </summary>
    public void ShareIds(SharedStrings strings)
    {
        if (following is not null)
        {
            Following.ShareWith(strings);
        }

        if (groups is not null)
        {
            GroupsCopy.ShareWith(strings);
        }
    }
}
