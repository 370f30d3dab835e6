using System.Collections.Frozen;
using RseOrleans.Grains;
using RseOrleans.Model;

namespace RseOrleans.Api.Reads;

/// <summary>
/// The reads the hot paths make, answered from the silo's <see cref="LocalReadModel"/> when the
/// grain is active in this process and by a grain call otherwise. Each method answers what the
/// named grain method would.
/// </summary>
public sealed class GrainReads(IGrainFactory grains, LocalReadModel local)
{
    private static readonly IReadOnlySet<long> Empty = FrozenSet<long>.Empty;

    /// <summary>As <see cref="IPostGrain.Get"/>.</summary>
    public Task<PostSnapshot?> GetPost(long postId, string viewerId)
    {
        if (!local.Posts.TryGet(postId, out var post))
        {
            return grains.GetGrain<IPostGrain>(postId).Get(viewerId);
        }

        // The viewer's own reactions live in their reaction shard, as the post grain asks it; a
        // shard holding no reaction at all has none to ask for.
        return post.MayHoldReactionsOf(viewerId) ? WithReactionsOf(post, viewerId) : Task.FromResult<PostSnapshot?>(post);
    }

    /// <summary>As <see cref="IPostGrain.GetCommentAuthors"/>; not in the read model, as only guests' reads need it.</summary>
    public Task<IReadOnlyList<string>> GetCommentAuthors(long postId) => grains.GetGrain<IPostGrain>(postId).GetCommentAuthors();

    /// <summary>As <see cref="IUserGrain.GetAccount"/>.</summary>
    public Task<AccountSnapshot> GetAccount(string userId) =>
        local.Users.TryGet(userId, out var user) ? Task.FromResult(user.Account) : grains.GetGrain<IUserGrain>(userId).GetAccount();

    /// <summary>As <see cref="IUserGrain.Get"/>.</summary>
    public Task<UserSnapshot?> GetUser(string userId) =>
        local.Users.TryGet(userId, out var user) ? Task.FromResult(user.User) : grains.GetGrain<IUserGrain>(userId).Get();

    /// <summary>As <see cref="IGroupGrain.Get"/>.</summary>
    public Task<GroupSnapshot?> GetGroup(string groupId) =>
        local.Groups.TryGet(groupId, out var group) ? Task.FromResult<GroupSnapshot?>(group) : grains.GetGrain<IGroupGrain>(groupId).Get();

    /// <summary>The group as its grain in this process last published it; null when it is not here (never a call).</summary>
    public GroupSnapshot? LocalGroup(string groupId) => local.Groups.TryGet(groupId, out var group) ? group : null;

    /// <summary>As <see cref="IModerationGrain.HiddenAmong"/>.</summary>
    public Task<IReadOnlySet<long>> HiddenAmong(string scope, IReadOnlyCollection<long> postIds)
    {
        if (!local.HiddenPosts.TryGet(scope, out var hidden))
        {
            return grains.GetGrain<IModerationGrain>(scope).HiddenAmong(postIds);
        }

        IReadOnlySet<long> among = hidden.Count == 0 ? Empty : postIds.Where(hidden.Contains).ToHashSet();
        return Task.FromResult(among);
    }

    /// <summary>As <see cref="IBookmarksGrain.BookmarkedAmong"/>; no call for no posts.</summary>
    public Task<IReadOnlySet<long>> BookmarkedAmong(string userId, IReadOnlyCollection<long> postIds)
    {
        if (postIds.Count == 0)
        {
            return Task.FromResult(Empty);
        }

        if (KnownEmpty(userId, PersonalHoldings.Bookmarks))
        {
            return Task.FromResult(Empty);
        }

        if (!local.Bookmarks.TryGet(userId, out var bookmarked))
        {
            return grains.GetGrain<IBookmarksGrain>(userId).BookmarkedAmong(postIds);
        }

        IReadOnlySet<long> among = bookmarked.Count == 0 ? Empty : postIds.Where(bookmarked.Contains).ToHashSet();
        return Task.FromResult(among);
    }

    /// <summary>As <see cref="INotificationsGrain.GetMarkers"/>.</summary>
    public Task<NotificationMarkers> GetNotificationMarkers(string userId) => KnownEmpty(userId, PersonalHoldings.Notifications)
        ? Task.FromResult(NotificationMarkers.Initial)
        : grains.GetGrain<INotificationsGrain>(userId).GetMarkers();

    /// <summary>As <see cref="INotificationsGrain.GetUnread"/>.</summary>
    public Task<IReadOnlyList<NotificationGroup>> GetUnreadNotifications(string userId) => KnownEmpty(userId, PersonalHoldings.Notifications)
        ? Task.FromResult<IReadOnlyList<NotificationGroup>>([])
        : grains.GetGrain<INotificationsGrain>(userId).GetUnread();

    /// <summary>As <see cref="INotificationsGrain.ReadBefore"/>.</summary>
    public Task<NotificationGroupPage> ReadNotificationsBefore(string userId, long? before, int count) => KnownEmpty(userId, PersonalHoldings.Notifications)
        ? Task.FromResult(new NotificationGroupPage([], HasMore: false))
        : grains.GetGrain<INotificationsGrain>(userId).ReadBefore(before, count);

    /// <summary>As <see cref="INotificationsGrain.GetSettings"/>.</summary>
    public Task<NotificationSettings> GetNotificationSettings(string userId) => KnownEmpty(userId, PersonalHoldings.Notifications)
        ? Task.FromResult(NotificationSettings.Default)
        : grains.GetGrain<INotificationsGrain>(userId).GetSettings();

    /// <summary>
    /// Whether the person's account, as published in this process, knows they hold none of
    /// <paramref name="holdings"/>: then the answer is "nothing" without waking the grain that
    /// would say so. An account not here says nothing, and the grain is asked.
    /// </summary>
    private bool KnownEmpty(string userId, PersonalHoldings holdings) =>
        local.Users.TryGet(userId, out var user) && (user.Account.KnownEmpty & holdings) == holdings;

    private async Task<PostSnapshot?> WithReactionsOf(PostSnapshot post, string viewerId)
    {
        var mine = await grains.ReactionShard(post.PostId, post.ReactionShards, viewerId).GetReactionsOf(viewerId);
        return mine.Count == 0 ? post : post with { MyReactions = mine };
    }
}
