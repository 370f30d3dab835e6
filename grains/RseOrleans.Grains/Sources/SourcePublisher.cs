using Microsoft.Extensions.Logging;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Fanout;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Grains.Notifications;
using RseOrleans.Grains.Topics;
using RseOrleans.Model;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// Publishes a batch of posts in one turn: each post is refused or created on its own; all those
/// created are committed by one state write, then logged and delivered, pushed or pulled as
/// <see cref="PushPullPolicy"/> decides. A failure before the commit fails only its own post; the
/// commit failing fails the call.
/// </summary>
/// <remarks>
/// A retried request is answered by the API's request ledger, or here from the source's
/// <see cref="RequestStamps"/> when the ledger could not know the first call's outcome (its write
/// was taken late). A fan-out left unfinished is resumed by <see cref="FanoutRecovery"/>, not by a retry.
/// </remarks>
internal sealed class SourcePublisher(
    IPersistentState<SourceState> state,
    SourceId source,
    SourceAudience audience,
    RecentPosts recent,
    PushPullPolicy policy,
    FanoutRecovery recovery,
    IActivityLog activityLog,
    FeedDeliveryClient deliveries,
    TimeOrderedIdGenerator ids,
    IGrainFactory grains,
    ILogger logger)
{
    /// <summary>What the activity log holds of a published post.</summary>
    public static Activity Posted(PostSnapshot post, SourceId source) =>
        new(post.PostId, ActivityKind.Posted, post.PostId, source.Key, post.AuthorId, post.Text, post.CreatedAt);

    /// <summary>One outcome per post, in the same order.</summary>
    public async Task<BatchOutcome<PostSnapshot>[]> PublishAllAsync(NewPost[] posts)
    {
        var results = new Published[posts.Length];
        var fresh = new List<int>();
        var refusals = await PostingRight.RefusalsAsync(grains, source, posts);
        for (var i = 0; i < posts.Length; i++)
        {
            var post = posts[i];
            if (state.State.Requests.CreatedBy(post.Request) is { } earlier)
            {
                // Stored by an earlier call whose write the storage took late: its retry is answered.
                results[i] = await TryAnswerEarlierAsync(earlier, post);
            }
            else if (refusals[i] is { } refusal)
            {
                results[i] = new(null, refusal);
            }
            else
            {
                fresh.Add(i);
            }
        }

        // In parallel: a busy source's batch costs one post-creation round trip, not one per post.
        // Each post's id is issued before the first await, so ids follow the batch's order.
        var created = await Task.WhenAll(fresh.Select(i => TryCreatePostAsync(posts[i])));
        var newPosts = new List<(NewPost Request, PostSnapshot Post)>(created.Length);
        for (var j = 0; j < fresh.Count; j++)
        {
            results[fresh[j]] = created[j];
            if (created[j].Post is { } snapshot)
            {
                newPosts.Add((posts[fresh[j]], snapshot));
            }
        }

        if (newPosts.Count > 0)
        {
            // The window is kept sorted, and feeds take the posts oldest first.
            newPosts.Sort((a, b) => a.Post.PostId.CompareTo(b.Post.PostId));
            await CommitAndDistributeAsync(newPosts);

            // After the commit: a topic only ever holds posts that exist.
            await TopicPublishing.PublishAsync(grains, source, [.. newPosts.Select(item => item.Post)], logger);
            await GroupPostNotifying.PublishedAsync(grains, source, [.. newPosts.Select(item => item.Post)], logger);
        }

        var outcomes = new BatchOutcome<PostSnapshot>[posts.Length];
        for (var i = 0; i < posts.Length; i++)
        {
            outcomes[i] = ToOutcome(results[i]);
        }

        return outcomes;
    }

    private async Task<Published> TryCreatePostAsync(NewPost post)
    {
        try
        {
            return new(await CreatePostAsync(post), null);
        }
        catch (Exception ex)
        {
            // Nothing was committed for this post: its caller retries, and the post grain that may
            // have been stored is never referenced by the source, a log or a feed.
            return new(null, ex);
        }
    }

    private async Task<Published> TryAnswerEarlierAsync(long postId, NewPost post)
    {
        try
        {
            return await grains.GetGrain<IPostGrain>(postId).Get(post.AuthorId) is { } earlier
                ? new(earlier, null)
                : new(null, new DomainException(DomainError.NotFound, $"Post {postId}, which this request created, has since been deleted."));
        }
        catch (Exception ex)
        {
            return new(null, ex);
        }
    }

    /// <summary>Creates the post under a fresh id, and under another in the rare case the id was taken.</summary>
    private async Task<PostSnapshot> CreatePostAsync(NewPost post)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var grain = grains.GetGrain<IPostGrain>(ids.NextId());
                return post.SharedPostId == 0
                    ? await grain.Create(post.AuthorId, source, post.Text)
                    : await grain.CreateShare(post.AuthorId, source, post.Text, post.SharedPostId);
            }
            catch (DomainException ex) when (ex.Error == DomainError.AlreadyExists && attempt < 3)
            {
                logger.LogWarning("A post id issued for {Source} was already taken: two silos share an id node number (set Ids:NodeId)", source.Key);
            }
        }
    }

    /// <summary>
    /// Commits the batch's new posts, oldest first, with one state write, then logs them and
    /// fans each out. A failed write drops the activation (StorageFailureFilter) and nothing of the
    /// batch was acknowledged: each caller's retry creates its post afresh. After the write the
    /// posts exist, so a failure of the log or a delivery does not fail their authors (a retry
    /// would create them again): the fan-outs stay pending, <see cref="LeftUnfinished"/> says so, and
    /// the grain has <see cref="FanoutRecovery"/> finish them shortly.
    /// </summary>
    private async Task CommitAndDistributeAsync(List<(NewPost Request, PostSnapshot Post)> newPosts)
    {
        var batchIds = newPosts.Select(item => item.Post.PostId).ToArray();
        recent.AddRange(newPosts);
        foreach (var (request, post) in newPosts)
        {
            recovery.Add(post.PostId);
            state.State.Requests.Stamp(request.Request, post.PostId);
        }

        var missedWhilePulled = policy.Choose(batchIds);
        var registry = grains.GetGrain<IPullRegistryGrain>(0);
        if (policy.Pulled)
        {
            // Registered before the posts are durable, so a feed can never miss a pulled post.
            await registry.Add(source.Key);
        }

        // The commit point: from here on the posts exist, and the recovery finishes the rest.
        await state.WriteStateAsync();
        recovery.Stored();
        try
        {
            await DistributeAsync(newPosts, batchIds, missedWhilePulled, registry);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Posts of {Source} are stored but their fan-out stopped; it is finished shortly", source.Key);
            LeftUnfinished = true;
        }
    }

    /// <summary>Set when a batch's fan-out stopped after its commit; the grain reads and clears it.</summary>
    public bool LeftUnfinished { get; set; }

    private async Task DistributeAsync(List<(NewPost Request, PostSnapshot Post)> newPosts, long[] batchIds, long[]? missedWhilePulled, IPullRegistryGrain registry)
    {
        await activityLog.AppendAllAsync([.. newPosts.Select(item => Posted(item.Post, source))], fanoutPending: true);
        EngineMetrics.PostsPublished.Add(newPosts.Count);

        if (policy.Pulled)
        {
            // Each author sees their post at once, through the same delivery as everyone else's pushed
            // posts (a feed not in memory builds with it); everyone else pulls it when they read.
            foreach (var (_, post) in newPosts)
            {
                await deliveries.DeliverAsync(new FeedDelivery(source, post.PostId), [post.AuthorId]);
            }

            recovery.CompleteOffTheAuthorsPath(batchIds);
            return;
        }

        if (missedWhilePulled is not null)
        {
            // Back to push: feeds stop pulling only once they have been handed what they may not have pulled.
            foreach (var missedPostId in missedWhilePulled)
            {
                await audience.DeliverAsync(new FeedDelivery(source, missedPostId), newPosts[0].Post.AuthorId);
            }

            await registry.Remove(source.Key);
        }

        var completed = new List<long>(newPosts.Count);
        foreach (var (_, post) in newPosts)
        {
            // A fan-out that missed a feed stays pending: the recovery delivers it again, which is
            // harmless for the feeds that have it.
            if (await audience.DeliverAsync(new FeedDelivery(source, post.PostId), post.AuthorId))
            {
                completed.Add(post.PostId);
            }
        }

        recovery.CompleteOffTheAuthorsPath(completed);
    }

    private BatchOutcome<PostSnapshot> ToOutcome(Published published)
    {
        switch (published)
        {
            case { Post: { } post }:
                return BatchOutcome.Of(post);
            case { Failure: DomainException refusal }:
                return BatchOutcome.Refused<PostSnapshot>(refusal.Error, refusal.Message);
            default:
                // Not a rule of the domain: most likely the storage or a silo failing under the post
                // grain. Nothing was acknowledged for this post, so a retry is what its caller should do.
                logger.LogWarning(published.Failure, "A post to {Source} could not be published; its caller is told to retry", source.Key);
                return BatchOutcome.Refused<PostSnapshot>(DomainError.Unavailable, "The post could not be stored right now; nothing was acknowledged, retry with the same request_id.");
        }
    }

    /// <summary>A post of a batch: created or answered, or the failure its caller gets.</summary>
    private readonly record struct Published(PostSnapshot? Post, Exception? Failure);
}
