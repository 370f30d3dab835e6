using RseOrleans.Model;

namespace RseOrleans.Grains;

/// <summary>
/// Who wants to hear of every new post of one group: the people whose notification level for it is
/// "all". A copy derived from their settings (<see cref="INotificationsGrain"/> owns them and keeps
/// this in step; saving the settings again repairs it). It tells them of the group's new posts and
/// deleted ones, off the author's path. Key: the group id.
/// </summary>
public interface IGroupPostSubscribersGrain : IGrainWithStringKey
{
    /// <summary>Sets whether <paramref name="userId"/> hears of every post; writes only on a change.</summary>
    Task Set(string userId, bool subscribed);

    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetSubscribers();

    /// <summary>
    /// New posts of the group: each subscriber who is a member now, except the author, gets one act
    /// per post. One way: the source that committed the posts never waits for this.
    /// </summary>
    [OneWay]
    Task Published([Immutable] IReadOnlyList<GroupPostNotice> posts);

    /// <summary>A post of the group deleted: its act is taken back wherever it was counted.</summary>
    [OneWay]
    Task Withdrawn(GroupPostNotice post);
}
