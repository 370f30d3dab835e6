using Microsoft.Extensions.Logging;
using RseOrleans.Grains.Fanout;
using RseOrleans.Model;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// How a topic's source takes the posts that carry its hashtag, published by their own source
/// first: into its window (once each, in order, even an old post an edit tagged), committed by one
/// state write, then to its followers, pushed or pulled by <see cref="PushPullPolicy"/> as for any
/// source, and noted for the trending count.
/// </summary>
/// <remarks>
/// Nothing of it goes to the activity log, whose rows and pending marks are keyed by post and
/// belong to the post's own source: a topic's window and pending fan-outs are in its grain state.
/// </remarks>
internal sealed class TopicIntake(
    IPersistentState<SourceState> state,
    SourceId source,
    SourceAudience audience,
    RecentPosts recent,
    PushPullPolicy policy,
    FanoutRecovery recovery,
    IGrainFactory grains,
    ILogger logger)
{
    public async Task AddAsync(TaggedPost[] posts)
    {
        if (source.Kind != SourceKind.Topic)
        {
            throw DomainException.Precondition("Only a topic's source takes tagged posts.");
        }

        var fresh = posts
            .Where(post => !recent.Contains(post.PostId))
            .DistinctBy(post => post.PostId)
            .OrderBy(post => post.PostId)
            .ToArray();
        if (fresh.Length == 0)
        {
            return;
        }

        var ids = fresh.Select(post => post.PostId).ToArray();
        recent.Insert(ids);
        foreach (var postId in ids)
        {
            recovery.Add(postId);
        }

        var missedWhilePulled = policy.Choose(ids);
        var registry = grains.GetGrain<IPullRegistryGrain>(0);
        if (policy.Pulled)
        {
            await registry.Add(source.Key);
        }

        // The commit point, as for a source's own posts: the recovery finishes a fan-out cut short.
        await state.WriteStateAsync();
        recovery.Stored();

        await DeliverAsync(fresh, missedWhilePulled, registry);
        await NoteTrendingAsync(fresh);
    }

    private async Task DeliverAsync(TaggedPost[] fresh, long[]? missedWhilePulled, IPullRegistryGrain registry)
    {
        if (policy.Pulled)
        {
            // Followers pull it when they read; its author has it through their own source.
            recovery.CompleteTagged([.. fresh.Select(post => post.PostId)]);
            return;
        }

        if (missedWhilePulled is not null)
        {
            foreach (var missedPostId in missedWhilePulled)
            {
                await audience.DeliverAsync(new FeedDelivery(source, missedPostId), fresh[0].AuthorId);
            }

            await registry.Remove(source.Key);
        }

        var completed = new List<long>(fresh.Length);
        foreach (var post in fresh)
        {
            if (await audience.DeliverAsync(new FeedDelivery(source, post.PostId), post.AuthorId))
            {
                completed.Add(post.PostId);
            }
        }

        recovery.CompleteTagged(completed);
    }

    private async Task NoteTrendingAsync(TaggedPost[] fresh)
    {
        try
        {
            await grains.GetGrain<ITrendingTopicsGrain>(0).Note(source.Id, fresh);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // A trend is an estimate of attention; the post is in the topic whatever happens here.
            logger.LogWarning(ex, "Posts entering {Source} were not noted for trending", source.Key);
        }
    }
}
