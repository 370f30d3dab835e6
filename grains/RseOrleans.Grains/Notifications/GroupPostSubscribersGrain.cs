using RseOrleans.Model;

namespace RseOrleans.Grains.Notifications;

[GenerateSerializer]
[Alias("rse.GroupPostSubscribersState")]
public sealed class GroupPostSubscribersState
{
    [Id(0)]
    public HashSet<string> Subscribers { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The people of one group whose level is "all", and telling them of its new posts. Posting is not
/// slowed by a large group: the source makes one one-way call per committed batch, whatever the
/// number of members, and only the subscribers (not the members) are then told, from here, each by
/// one one-way call. Membership is asked of the group at that moment, so a person who left, or never
/// joined, hears nothing; whether they may still read a post later is decided when they read
/// their notifications, as for every kind.
/// </summary>
/// <remarks>
/// Calls in: <c>Notifications → here</c> (settings), <c>Source, Post → here</c> (one way). Calls
/// out: <c>Group (GetMembershipOf, interleaved)</c>, <c>Notifications.Apply</c> (one way), so no
/// cycle waits. A notice lost with a silo is a notification lost, never a post: logged by the caller.
/// </remarks>
[GrainType("group-post-subscribers")]
public sealed class GroupPostSubscribersGrain(
    [PersistentState("group-post-subscribers", StorageNames.Main)] IPersistentState<GroupPostSubscribersState> state) : Grain, IGroupPostSubscribersGrain
{
    private string GroupId => this.GetPrimaryKeyString();

    public async Task Set(string userId, bool subscribed)
    {
        var changed = subscribed ? state.State.Subscribers.Add(userId) : state.State.Subscribers.Remove(userId);
        if (!changed)
        {
            return;
        }

        if (state.State.Subscribers.Count == 0)
        {
            await state.ClearStateAsync();
            state.State = new GroupPostSubscribersState();
        }
        else
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> GetSubscribers() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Subscribers.Order(StringComparer.Ordinal)]);

    public async Task Published(IReadOnlyList<GroupPostNotice> posts)
    {
        if (state.State.Subscribers.Count == 0)
        {
            return;
        }

        var group = GrainFactory.GetGrain<IGroupGrain>(GroupId);
        var subscribers = state.State.Subscribers.ToArray();
        var memberships = await Task.WhenAll(subscribers.Select(group.GetMembershipOf));
        var members = subscribers.Where((_, i) => memberships[i]?.JoinedAt is not null);
        foreach (var member in members)
        {
            var acts = posts.Where(post => post.AuthorId != member).Select(post => Act(post, withdraw: false)).ToArray();
            if (acts.Length > 0)
            {
                await GrainFactory.GetGrain<INotificationsGrain>(member).Apply(acts);
            }
        }
    }

    public async Task Withdrawn(GroupPostNotice post)
    {
        // To every subscriber, member or not: only a person whose notifications counted the post takes it back.
        foreach (var subscriber in state.State.Subscribers.Where(subscriber => subscriber != post.AuthorId).ToArray())
        {
            await GrainFactory.GetGrain<INotificationsGrain>(subscriber).Apply([Act(post, withdraw: true)]);
        }
    }

    private NotificationEvent Act(GroupPostNotice post, bool withdraw) =>
        new(NotificationKind.NewGroupPost, NotificationTarget.Post(post.PostId, GroupId), post.AuthorId, post.CreatedAt, withdraw);
}
