using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// One person's notifications: the owner of their notification groups, read markers and settings.
/// Producers tell it acts one way (a writer never waits for it); readers check visibility at read
/// time, as feeds do, since access may be lost after a notification came. Key: the user id.
/// At most <see cref="NotificationLimits.MaxGroups"/> groups.
/// </summary>
public interface INotificationsGrain : IGrainWithStringKey
{
    /// <summary>Adds or withdraws acts; acts of the owner, of a disabled kind or about a muted post are dropped.</summary>
    [OneWay]
    Task Apply([Immutable] IReadOnlyList<NotificationEvent> events);

    /// <summary>Groups newest first (by position), strictly before <paramref name="before"/> when given.</summary>
    [AlwaysInterleave]
    Task<NotificationGroupPage> ReadBefore(long? before, int count);

    /// <summary>Groups changed after <paramref name="changedAfter"/>, oldest change first, removed ones (count 0) too.</summary>
    [AlwaysInterleave]
    Task<NotificationGroupPage> ReadChangedAfter(long changedAfter, int count);

    /// <summary>The newest change stamp: where a live watch starts when the client holds nothing.</summary>
    [AlwaysInterleave]
    Task<long> GetLastChange();

    /// <summary>The groups with a position after the read marker (unread), for the reader to filter and count.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<NotificationGroup>> GetUnread();

    [AlwaysInterleave]
    Task<NotificationMarkers> GetMarkers();

    /// <summary>Moves markers; FAILED_PRECONDITION when <see cref="MarkerUpdate.ExpectedVersion"/> is not the current version.</summary>
    Task<NotificationMarkers> UpdateMarkers(MarkerUpdate update);

    /// <summary>Marks read up to a position (never backwards); seen too when asked.</summary>
    Task<NotificationMarkers> MarkRead(long upTo, bool alsoSeen);

    [AlwaysInterleave]
    Task<NotificationSettings> GetSettings();

    Task<NotificationSettings> UpdateSettings(NotificationSettings settings);

    /// <summary>Announces changes on the stream for <paramref name="lease"/>, until renewed or unwatched.</summary>
    Task Watch(Guid watcherId, TimeSpan lease);

    Task Unwatch(Guid watcherId);

    /// <summary>Erasure of another person: takes them out of every group's actors.</summary>
    Task ForgetActor(string actorId);

    /// <summary>Erasure of the owner: removes everything; returns how many groups there were.</summary>
    Task<int> Clear();
}
