using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Fanout;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// Followers of a user, or members of a group: who receives the source's posts. Stored apart from
/// <see cref="SourceState"/> because it changes with follows and memberships, not with posts: a post
/// to a group of 10,000 must not rewrite 10,000 member ids.
/// </summary>
[GenerateSerializer]
[Alias("rse.SourceAudienceState")]
public sealed class SourceAudienceState
{
    [Id(0)]
    public HashSet<string> Members { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>What a source writes with every post. (Id 0 held the audience before it had a state of its own.)</summary>
[GenerateSerializer]
[Alias("rse.SourceState")]
public sealed class SourceState
{
    /// <summary>The most recent post ids, oldest first.</summary>
    [Id(1)]
    public List<long> Recent { get; set; } = [];

    [Id(2)]
    public RequestLog Requests { get; set; } = new();

    /// <summary>True while the audience is too large to push to: feeds pull the posts instead.</summary>
    [Id(3)]
    public bool Pulled { get; set; }

    /// <summary>The first post published while pulled: where a return to push resumes pushing from.</summary>
    [Id(4)]
    public long PulledSince { get; set; }

    /// <summary>
    /// Posts acknowledged to their author whose fan-out may not have finished. Cleared in memory when
    /// it finishes and stored with the next write: a leftover only costs a redundant, idempotent
    /// delivery after a restart.
    /// </summary>
    [Id(5)]
    public List<long> PendingFanout { get; set; } = [];

    /// <summary>The profile of an erased user: no posts, no new followers.</summary>
    [Id(6)]
    public bool Closed { get; set; }
}

/// <summary>
/// A post is written once here, then pushed to the home feed of every audience member, or, for an
/// audience above <see cref="FeedOptions.PushThreshold"/>, left for the feeds to pull when read.
/// </summary>
[GrainType("source")]
public sealed class SourceGrain(
    [PersistentState("source", StorageNames.Main)] IPersistentState<SourceState> state,
    [PersistentState("source-audience", StorageNames.Main)] IPersistentState<SourceAudienceState> audience,
    TimeOrderedIdGenerator ids,
    FeedDeliveryClient deliveries,
    IActivityLog activityLog,
    IOptions<FeedOptions> options,
    ILogger<SourceGrain> logger) : Grain, ISourceGrain
{
    private const string PublishOperation = "publish";

    private SourceId source;
    private string[]? sortedAudience;

    // Who a fan-out goes to, built once per audience change rather than at every post.
    private string[]? recipients;

    // Fan-outs completed since the state was last written: stored at the latest on deactivation, so
    // that only a crash, never a routine reactivation, makes the next activation deliver them again.
    private bool completedSinceWrite;

    // Set by a read of a source that has never published (see GetRecent).
    private IGrainTimer? emptyCheck;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        source = SourceId.Parse(this.GetPrimaryKeyString());
        if (state.State.PendingFanout.Count > 0)
        {
            // A previous activation died mid fan-out: finish it as soon as this one is running.
            this.RegisterGrainTimer(ResumePendingAsync, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The embedded default's memory storage ends with the process (and may already be gone):
        // at shutdown there is nothing to keep. Durable mode keeps an activity log, and its state.
        var nothingOutlivesShutdown = !activityLog.IsKept && reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
        if (completedSinceWrite && reason.ReasonCode != DeactivationReasonCode.ApplicationError && !nothingOutlivesShutdown)
        {
            try
            {
                await state.WriteStateAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                // Only costs a redundant (idempotent) delivery at the next activation.
                logger.LogWarning(ex, "Could not store the completed fan-outs of {Source} on deactivation", source.Key);
            }
        }
    }

    public async Task<PostSnapshot> Publish(NewPost post)
    {
        var published = (await PublishBatchAsync([post]))[0];
        if (published.Failure is { } failure)
        {
            // As it was thrown, so that the caller (and the storage failure filter) sees what it always saw.
            ExceptionDispatchInfo.Throw(failure);
        }

        return published.Post!;
    }

    public async Task<BatchOutcome<PostSnapshot>[]> PublishAll(NewPost[] posts)
    {
        var published = await PublishBatchAsync(posts);
        return [.. published.Select(ToOutcome)];
    }

    /// <summary>
    /// Publishes a batch in one turn: each post is refused, answered as a retry or created on its
    /// own, and all those created are committed by one state write, then logged and fanned out.
    /// A failure before the commit fails only its own post; the commit failing fails the call.
    /// </summary>
    private async Task<Published[]> PublishBatchAsync(NewPost[] posts)
    {
        var results = new Published[posts.Length];
        var firstOfRequest = new Dictionary<(string AuthorId, string RequestId), int>();
        var fresh = new List<int>();
        for (var i = 0; i < posts.Length; i++)
        {
            var post = posts[i];
            if (source.Kind == SourceKind.User && post.AuthorId != source.Id)
            {
                results[i] = new(null, DomainException.Denied("Only the owner of a profile posts on it."));
            }
            else if (!firstOfRequest.TryAdd((post.AuthorId, post.RequestId), i))
            {
                // A retry that caught up with its first attempt in the same batch: answered alike, below.
            }
            else if (state.State.Requests.TryGet(PublishOperation, post.AuthorId, post.RequestId, out var earlierPostId))
            {
                results[i] = await AnswerRetryAsync(post, earlierPostId);
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
            // Recent is kept sorted, and feeds take the posts oldest first.
            newPosts.Sort((a, b) => a.Post.PostId.CompareTo(b.Post.PostId));
            await CommitAndDistributeAsync(newPosts);
        }

        for (var i = 0; i < posts.Length; i++)
        {
            if (results[i] == default)
            {
                results[i] = results[firstOfRequest[(posts[i].AuthorId, posts[i].RequestId)]];
            }
        }

        return results;
    }

    private async Task<Published> AnswerRetryAsync(NewPost post, long earlierPostId)
    {
        try
        {
            var earlier = await GrainFactory.GetGrain<IPostGrain>(earlierPostId).Get(post.AuthorId)
                ?? throw DomainException.Precondition("The post this request created has since been deleted.");

            // The first attempt may have stopped after the post was stored: finish what it started.
            await ResumeFanout(earlierPostId);
            return new(earlier, null);
        }
        catch (Exception ex)
        {
            // Nothing of this batch depends on it: only this post's caller hears of it.
            return new(null, ex);
        }
    }

    private async Task<Published> TryCreatePostAsync(NewPost post)
    {
        try
        {
            return new(await CreatePostAsync(post), null);
        }
        catch (Exception ex)
        {
            // Nothing was committed for this post: its caller retries with its request id, and the
            // post grain that may have been stored is never referenced by the source, a log or a feed.
            return new(null, ex);
        }
    }

    /// <summary>
    /// Commits the batch's new posts, oldest first, with one state write, then logs them and
    /// fans each out. A failed write drops the activation (StorageFailureFilter) and nothing of the
    /// batch was acknowledged: each caller's retry creates its post afresh. A failure after the
    /// write (the log, a delivery) fails the call too, and each retry finds its post in the request
    /// log and finishes its fan-out.
    /// </summary>
    private async Task CommitAndDistributeAsync(List<(NewPost Request, PostSnapshot Post)> newPosts)
    {
        var batchIds = newPosts.Select(item => item.Post.PostId).ToArray();
        var recent = state.State.Recent;
        foreach (var (request, post) in newPosts)
        {
            recent.Add(post.PostId);
            state.State.Requests.Record(PublishOperation, request.AuthorId, request.RequestId, post.PostId);
            state.State.PendingFanout.Add(post.PostId);
        }

        if (recent.Count > options.Value.SourceWindow)
        {
            recent.RemoveRange(0, recent.Count - options.Value.SourceWindow);
        }

        var missedWhilePulled = ChooseDistribution(batchIds);
        var registry = GrainFactory.GetGrain<IPullRegistryGrain>(0);
        if (state.State.Pulled)
        {
            // Registered before the posts are durable, so a feed can never miss a pulled post.
            await registry.Add(source.Key);
        }

        // The commit point: from here on the posts exist, and a retry or a recovering silo finishes the rest.
        await state.WriteStateAsync();
        completedSinceWrite = false;
        await activityLog.AppendAllAsync([.. newPosts.Select(item => PostedActivity(item.Post))], fanoutPending: true);

        if (state.State.Pulled)
        {
            // Each author sees their post at once, through the same delivery as everyone else's pushed
            // posts (a feed not in memory builds with it); everyone else pulls it when they read.
            foreach (var (_, post) in newPosts)
            {
                await deliveries.DeliverAsync(new FeedDelivery(source, post.PostId), [post.AuthorId]);
            }

            CompleteFanoutsOffTheAuthorsPath(batchIds);
            return;
        }

        if (missedWhilePulled is not null)
        {
            // Back to push: feeds stop pulling only once they have been handed what they may not have pulled.
            foreach (var missedPostId in missedWhilePulled)
            {
                await FanOut(new FeedDelivery(source, missedPostId), newPosts[0].Post.AuthorId);
            }

            await registry.Remove(source.Key);
        }

        var completed = new List<long>(newPosts.Count);
        foreach (var (_, post) in newPosts)
        {
            // A fan-out that missed a feed stays pending: the recovery delivers it again, which is
            // harmless for the feeds that have it.
            if (await FanOut(new FeedDelivery(source, post.PostId), post.AuthorId))
            {
                completed.Add(post.PostId);
            }
        }

        CompleteFanoutsOffTheAuthorsPath(completed);
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

    /// <summary>Creates the post under a fresh id, and under another in the rare case the id was taken.</summary>
    private async Task<PostSnapshot> CreatePostAsync(NewPost post)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await GrainFactory.GetGrain<IPostGrain>(ids.NextId()).Create(post.AuthorId, source, post.Text);
            }
            catch (DomainException ex) when (ex.Error == DomainError.AlreadyExists && attempt < 3)
            {
                logger.LogWarning("A post id issued for {Source} was already taken: two silos share an id node number (set Ids:NodeId)", source.Key);
            }
        }
    }

    public async Task ResumeFanout(long postId)
    {
        if (!state.State.PendingFanout.Contains(postId))
        {
            // Finished already (the log's pending row outlived the confirmation): nothing to redo.
            await activityLog.FanoutsCompletedAsync([postId]);
            return;
        }

        if (await GrainFactory.GetGrain<IPostGrain>(postId).Get(viewerId: "") is { } post)
        {
            await LogPostedAsync(post);
            if (!state.State.Pulled)
            {
                // Complete even if a feed is still unreachable: an unreachable feed is one whose
                // silo died, and it reads the activity log when it reactivates.
                await FanOut(new FeedDelivery(source, postId), post.AuthorId);
            }
        }

        await CompleteFanoutAsync(postId);
    }

    private async Task ResumePendingAsync()
    {
        foreach (var postId in state.State.PendingFanout.ToArray())
        {
            await ResumeFanout(postId);
        }

        await state.WriteStateAsync();
        completedSinceWrite = false;
    }

    /// <summary>
    /// Appends the post to the activity log, marked pending until its fan-out completes. Appending
    /// again on a retry or a resumed fan-out is harmless: the log keeps each activity once.
    /// </summary>
    private Task LogPostedAsync(PostSnapshot post) => activityLog.AppendAsync(PostedActivity(post), fanoutPending: true);

    private Activity PostedActivity(PostSnapshot post) =>
        new(post.PostId, ActivityKind.Posted, post.PostId, source.Key, post.AuthorId, post.Text, post.CreatedAt);

    /// <summary>
    /// Completes fan-outs without holding up the authors' answers for the round trip that clears
    /// their pending marks in the activity log (one for a whole batch): the posts are durable and
    /// delivered already. Should that clearing fail, the marks stay, and the recovery finds the
    /// fan-outs complete here and clears them.
    /// </summary>
    private void CompleteFanoutsOffTheAuthorsPath(IReadOnlyCollection<long> postIds)
    {
        foreach (var postId in postIds)
        {
            completedSinceWrite |= state.State.PendingFanout.Remove(postId);
        }

        if (!activityLog.IsKept || postIds.Count == 0)
        {
            return;
        }

        // Off the grain's scheduler: the activity log needs nothing of the grain, which may be gone by then.
        _ = Task.Run(async () =>
        {
            try
            {
                await activityLog.FanoutsCompletedAsync(postIds);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The pending marks of {Count} completed fan-outs stay until the recovery clears them", postIds.Count);
            }
        });
    }

    private async Task CompleteFanoutAsync(long postId)
    {
        completedSinceWrite |= state.State.PendingFanout.Remove(postId);
        await activityLog.FanoutsCompletedAsync([postId]);
    }

    /// <summary>
    /// Switches between push and pull as the audience grows or shrinks, with a margin so that a
    /// source on the threshold does not flip at every post; decided once for a batch of posts
    /// (<paramref name="batch"/>, ascending), which all go out the same way. On a switch back to
    /// push, returns the posts published while pulled, the batch's own excepted (they are pushed
    /// too, so no feed misses one); otherwise null.
    /// </summary>
    private long[]? ChooseDistribution(long[] batch)
    {
        var threshold = options.Value.PushThreshold;
        var audienceSize = audience.State.Members.Count;
        var pull = state.State.Pulled ? audienceSize >= threshold * 3L / 4 : audienceSize > threshold;
        if (pull == state.State.Pulled)
        {
            return null;
        }

        state.State.Pulled = pull;
        if (pull)
        {
            state.State.PulledSince = batch[0];
            return null;
        }

        return state.State.Recent.Where(id => id >= state.State.PulledSince && Array.BinarySearch(batch, id) < 0).ToArray();
    }

    public async Task<IReadOnlyList<long>> AddAudience(IReadOnlyCollection<string> userIds)
    {
        if (state.State.Closed)
        {
            throw DomainException.NotFound($"User '{source.Id}'");
        }

        var added = 0;
        foreach (var userId in userIds)
        {
            added += audience.State.Members.Add(userId) ? 1 : 0;
        }

        if (added > 0)
        {
            sortedAudience = null;
            recipients = null;
            await audience.WriteStateAsync();
        }

        var recent = state.State.Recent;
        var count = Math.Min(options.Value.BackfillPerSource, recent.Count);
        return recent.GetRange(recent.Count - count, count);
    }

    public async Task RemoveAudience(string userId)
    {
        if (audience.State.Members.Remove(userId))
        {
            sortedAudience = null;
            recipients = null;
            await audience.WriteStateAsync();
        }
    }

    public async Task Close()
    {
        if (source.Kind != SourceKind.User)
        {
            throw DomainException.Precondition("Only the profile of an erased user closes.");
        }

        if (!state.State.Closed)
        {
            // The caller takes it out of the pull registry too: with no posts, nobody needs to pull it.
            state.State.Closed = true;
            state.State.Recent.Clear();
            state.State.Pulled = false;
            state.State.PulledSince = 0;
            state.State.Requests = new RequestLog();
            await state.WriteStateAsync();
        }
    }

    public Task<int> GetAudienceCount() => Task.FromResult(audience.State.Members.Count);

    public Task<IdPage> ListAudience(string? after, int pageSize)
    {
        sortedAudience ??= SortedPage.Sort(audience.State.Members);
        var (items, next) = SortedPage.After(sortedAudience, after, pageSize);
        return Task.FromResult(new IdPage(items.ToArray(), next));
    }

    public async Task<IReadOnlyList<long>> GetRecent(long? before, int count)
    {
        if (IsEmpty && emptyCheck is null)
        {
            // Most people never post, yet every rebuild of their home feed asks their own source:
            // with nothing to give, it leaves memory soon rather than cost each of them an activation.
            var after = options.Value.EmptySourceLeavesAfter;
            emptyCheck = this.RegisterGrainTimer(LeaveIfStillEmpty, after, Timeout.InfiniteTimeSpan);
        }

        var page = RecentFromWindow(before, count);
        if (page.Length == count || state.State.Recent.Count < options.Value.SourceWindow || !activityLog.IsKept)
        {
            return page;
        }

        // Older than the window: the activity log has the whole history.
        var oldest = page.Length > 0 ? page[^1] : before ?? state.State.Recent[0];
        var older = await activityLog.PostsOfAsync(source.Key, Math.Min(oldest, state.State.Recent[0]), count - page.Length);
        return [.. page, .. older];
    }

    private bool IsEmpty => state.State.Recent.Count == 0 && state.State.PendingFanout.Count == 0 && !completedSinceWrite;

    /// <summary>
    /// A timer's turn, so never while a call runs here (the grain is not reentrant): a deactivation
    /// requested in the middle of a first publish would hold the reads that feeds make meanwhile
    /// until the publish ends, and the publish waits on those feeds. Reads arriving while it leaves
    /// go to the next activation, which stays at least as long again.
    /// </summary>
    private Task LeaveIfStillEmpty()
    {
        emptyCheck?.Dispose();
        emptyCheck = null;
        if (IsEmpty)
        {
            DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }

    private long[] RecentFromWindow(long? before, int count)
    {
        var recent = state.State.Recent;
        var end = recent.Count;
        if (before is { } limit)
        {
            end = recent.BinarySearch(limit);
            end = end >= 0 ? end : ~end;
        }

        var start = Math.Max(0, end - count);
        var page = new long[end - start];
        for (var i = 0; i < page.Length; i++)
        {
            page[i] = recent[end - 1 - i];
        }

        return page;
    }

    /// <summary>
    /// Pushes the post to the feeds of the audience (and of the author of a profile post) that are
    /// in memory, one call per silo, and says whether every silo took it. A silo that cannot be
    /// reached is logged and the fan-out stays pending rather than failing the author's post: the
    /// recovery delivers it again, which is harmless for the feeds that have it, and a feed whose
    /// silo died shows the post when it reactivates, since restoring and rebuilding read the
    /// activity log or the sources.
    /// </summary>
    private Task<bool> FanOut(FeedDelivery delivery, string authorId)
    {
        recipients ??= source.Kind == SourceKind.User
            ? [.. audience.State.Members.Append(authorId).Distinct(StringComparer.Ordinal)]
            : [.. audience.State.Members];
        return deliveries.DeliverAsync(delivery, recipients);
    }
}
