using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using RseOrleans.Api.Access;
using RseOrleans.Api.Paging;
using RseOrleans.Api.Reads;
using RseOrleans.Grains;
using RseOrleans.Model;
using V1 = RseOrleans.Api.V1;

namespace RseOrleans.Api.Hydration;

/// <summary>
/// What a person is shown of their notification groups, decided at read time as feeds decide it:
/// a group about a post they may not read now (deleted, hidden, in a group they left or never
/// could read, a guest's stranger) is left out, and so is a group about a group they cannot see;
/// the actors they may not see (a guest's strangers) are left out of the names. Counts (unread)
/// are counted over what is shown, so a count never counts what the reader may not see.
/// </summary>
public sealed class NotificationReader(IGrainFactory grains, GrainReads reads, AccessPolicy access)
{
    /// <summary>The groups of <paramref name="groups"/> the viewer may see, in the same order.</summary>
    public async Task<IReadOnlyList<NotificationGroup>> VisibleAsync(IReadOnlyList<NotificationGroup> groups, string viewerId)
    {
        if (groups.Count == 0)
        {
            return groups;
        }

        var postIds = groups.Where(group => group.Target.PostId != 0).Select(group => group.Target.PostId).Distinct().ToArray();
        var posts = await Task.WhenAll(postIds.Select(postId => reads.GetPost(postId, viewerId)));
        var readablePosts = await access.ReadableAmong(viewerId, posts.OfType<PostSnapshot>().ToArray());

        var comments = groups.Where(group => group.Target.CommentId != 0 && readablePosts.Contains(group.Target.PostId))
            .Select(group => (group.Target.PostId, group.Target.CommentId)).Distinct().ToArray();
        var commentSnapshots = await Task.WhenAll(comments.Select(c => grains.GetGrain<IPostGrain>(c.PostId).GetComment(c.CommentId)));
        var commentAuthors = await access.VisibleAmong(viewerId, commentSnapshots.OfType<CommentSnapshot>().Select(c => c.AuthorId));
        var liveComments = comments.Where((_, i) => commentSnapshots[i] is { } comment && commentAuthors.Contains(comment.AuthorId)).ToHashSet();

        var groupIds = groups.Where(group => group.Target.PostId == 0 && group.Target.GroupId is not null)
            .Select(group => group.Target.GroupId!).Distinct(StringComparer.Ordinal).ToArray();
        var groupAccess = await Task.WhenAll(groupIds.Select(groupId => access.GetGroupAccess(groupId, viewerId)));
        var visibleGroups = groupIds.Where((_, i) => groupAccess[i].IsVisible).ToHashSet(StringComparer.Ordinal);

        return [.. groups.Where(group => group.Target switch
        {
            { PostId: not 0, CommentId: not 0 } target => liveComments.Contains((target.PostId, target.CommentId)),
            { PostId: not 0 } target => readablePosts.Contains(target.PostId),
            { GroupId: { } groupId } => visibleGroups.Contains(groupId),
            _ => true,
        })];
    }

    /// <summary>The groups as the API shows them, the actors the viewer may see named with their current names.</summary>
    public async Task<IReadOnlyList<V1.NotificationGroup>> ToProtoAsync(IReadOnlyList<NotificationGroup> groups, string viewerId, long readMarker)
    {
        var allActors = groups.SelectMany(group => group.RecentActors).Distinct(StringComparer.Ordinal).ToArray();
        var actorIds = allActors.Where(id => !ApplicationAuthor.IsApplication(id)).ToArray();
        var users = await Task.WhenAll(actorIds.Select(reads.GetUser));
        var existing = actorIds.Where((_, i) => users[i] is not null).ToArray();
        var visible = await access.VisibleAmong(viewerId, existing);
        var names = actorIds.Select((id, i) => (id, user: users[i])).Where(pair => pair.user is not null && visible.Contains(pair.id))
            .ToDictionary(pair => pair.id, pair => pair.user!.Profile.DisplayName, StringComparer.Ordinal);

        // An application (a bot's mention) is named as on its posts, to whoever is shown what it did.
        var applications = allActors.Where(ApplicationAuthor.IsApplication).ToArray();
        var accounts = await Task.WhenAll(applications.Select(id => grains.GetGrain<IServiceAccountGrain>(ApplicationAuthor.AccountOf(id)!).Get()));
        foreach (var (id, account) in applications.Zip(accounts))
        {
            if (account is not null)
            {
                names[id] = account.DisplayName;
            }
        }

        return [.. groups.Select(group => ToProto(group, names, readMarker))];
    }

    private static V1.NotificationGroup ToProto(NotificationGroup group, Dictionary<string, string> names, long readMarker)
    {
        var proto = new V1.NotificationGroup
        {
            GroupKey = group.Key,
            Kind = (V1.NotificationKind)group.Kind,
            PostId = group.Target.PostId == 0 ? "" : group.Target.PostId.ToString(CultureInfo.InvariantCulture),
            CommentId = group.Target.CommentId == 0 ? "" : group.Target.CommentId.ToString(CultureInfo.InvariantCulture),
            GroupId = group.Target.GroupId ?? "",
            Count = group.Count,
            NewestTime = Timestamp.FromDateTimeOffset(group.NewestAt),
            Cursor = PageToken.Encode(PageToken.Notifications, group.Position),
            Unread = group.Position > readMarker,
        };
        foreach (var actor in group.RecentActors)
        {
            if (names.TryGetValue(actor, out var name))
            {
                proto.RecentActors.Add(new V1.NotificationActor { UserId = actor, DisplayName = name });
            }
        }

        return proto;
    }

    /// <summary>Exact counts of what the viewer may see after their read markers.</summary>
    public async Task<V1.UnreadCount> CountUnreadAsync(string viewerId) =>
        await CountUnreadAsync(viewerId, await reads.GetNotificationMarkers(viewerId));

    /// <summary>As <see cref="CountUnreadAsync(string)"/>, with the markers the caller has just read.</summary>
    public async Task<V1.UnreadCount> CountUnreadAsync(string viewerId, NotificationMarkers markers)
    {
        var home = CountHomeAfterAsync(viewerId, markers.HomeFeed);
        var unread = await VisibleAsync(await reads.GetUnreadNotifications(viewerId), viewerId);
        return new V1.UnreadCount { Notifications = unread.Count, HomeFeed = await home };
    }

    /// <summary>
    /// The home-feed items after the marker that the viewer may read now, every one counted: the
    /// home timeline is bounded (its ring), so this is a bounded number of page reads.
    /// </summary>
    private async Task<long> CountHomeAfterAsync(string viewerId, long marker)
    {
        var feed = grains.GetGrain<IFeedGrain>(viewerId);
        long count = 0;
        var after = marker;
        while (true)
        {
            var page = await feed.ReadAfter(after, 500);
            if (page.Refs.Count == 0)
            {
                return count;
            }

            var posts = await Task.WhenAll(page.Refs.Select(entry => reads.GetPost(entry.PostId, viewerId)));
            count += (await access.ReadableAmong(viewerId, posts.OfType<PostSnapshot>().ToArray())).Count;
            after = page.Refs[^1].Cursor;
            if (!page.HasMore)
            {
                return count;
            }
        }
    }
}
