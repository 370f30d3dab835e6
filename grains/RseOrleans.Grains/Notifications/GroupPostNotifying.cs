using Microsoft.Extensions.Logging;
using RseOrleans.Model;

namespace RseOrleans.Grains.Notifications;

/// <summary>
/// Tells a group's subscribers (<see cref="IGroupPostSubscribersGrain"/>) of its new posts, once the
/// source committed them, and of a deleted one, once the post wrote its delete: one one-way call
/// per batch or delete, so the author never waits for the members' notifications.
/// </summary>
public static class GroupPostNotifying
{
    public static async Task PublishedAsync(IGrainFactory grains, SourceId source, IReadOnlyCollection<PostSnapshot> posts, ILogger logger)
    {
        if (source.Kind != SourceKind.Group || posts.Count == 0)
        {
            return;
        }

        try
        {
            await grains.GetGrain<IGroupPostSubscribersGrain>(source.Id).Published([.. posts.Select(post => new GroupPostNotice(post.PostId, post.AuthorId, post.CreatedAt))]);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            logger.LogWarning(ex, "The subscribers of {Source} were not told of its new posts", source.Key);
        }
    }

    public static async Task WithdrawnAsync(IGrainFactory grains, SourceId source, GroupPostNotice post, ILogger logger)
    {
        if (source.Kind != SourceKind.Group)
        {
            return;
        }

        try
        {
            await grains.GetGrain<IGroupPostSubscribersGrain>(source.Id).Withdrawn(post);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            logger.LogWarning(ex, "The subscribers of {Source} were not told that post {PostId} was deleted", source.Key, post.PostId);
        }
    }
}
