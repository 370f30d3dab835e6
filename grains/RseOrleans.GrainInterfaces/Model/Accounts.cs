namespace RseOrleans.Model;

/// <summary>A person's role in the whole network, as opposed to their role in a group.</summary>
[GenerateSerializer]
public enum NetworkRole
{
    Member = 1,

    /// <summary>Runs the network: deactivates and reactivates accounts, names other network admins.</summary>
    Admin = 2,

    /// <summary>
    /// An external partner: sees only the groups they were added to and the people in them,
    /// creates no group, follows no one outside them.
    /// </summary>
    Guest = 3,
}

[GenerateSerializer]
public enum AccountStatus
{
    Active = 1,

    /// <summary>The person may no longer call the engine; their content stays where it is.</summary>
    Deactivated = 2,

    /// <summary>
    /// The person and their content were erased: only this tombstone remains, so that the id is
    /// never given to someone else nor reactivated.
    /// </summary>
    Erased = 3,
}

/// <summary>A per-user token bucket: <paramref name="PerMinute"/> writes a minute, <paramref name="Burst"/> at once.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.WriteAllowance")]
public sealed record WriteAllowance([property: Id(0)] int PerMinute, [property: Id(1)] int Burst);

/// <summary>
/// What a person keeps in grains of their own. Most people never bookmark and many are never
/// notified: an account that knows one of these is empty lets every read answer "nothing" without
/// waking a grain to say so.
/// </summary>
[Flags]
public enum PersonalHoldings
{
    None = 0,
    Bookmarks = 1,
    Notifications = 2,
}

/// <summary>What the engine needs to know about a caller before anything else.</summary>
[GenerateSerializer, Immutable]
[Alias("rse.AccountSnapshot")]
public sealed record AccountSnapshot(
    [property: Id(0)] string UserId,
    [property: Id(1)] bool Exists,
    [property: Id(2)] NetworkRole Role,
    [property: Id(3)] AccountStatus Status,
    [property: Id(4)] DateTimeOffset? StatusChangedAt,
    [property: Id(5)] PersonalHoldings KnownEmpty = PersonalHoldings.None)
{
    public bool IsActive => Exists && Status == AccountStatus.Active;

    public bool IsErased => Exists && Status == AccountStatus.Erased;
}

/// <summary>
/// Published on the stream <c>access/&lt;user&gt;</c> when a user loses access, so that their open
/// live watches re-check it at once instead of at the next lease renewal.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("rse.AccessChanged")]
public sealed record AccessChanged([property: Id(0)] string UserId, [property: Id(1)] AccountStatus Status);

public static class AccessStreams
{
    /// <summary>Stream namespace (provider <see cref="StreamNames.Provider"/>) of a user's access changes; key: the user id.</summary>
    public const string Namespace = "access";
}
