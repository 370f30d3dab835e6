using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Fanout;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Sources;

/// <summary>
/// A post is written once here, then pushed to the home feed of every audience member, or, for an
/// audience above <see cref="FeedOptions.PushThreshold"/>, left for the feeds to pull when read.
/// </summary>
/// <remarks>
/// Its parts: <see cref="SourcePublisher"/> publishes, <see cref="PushPullPolicy"/> decides push or
/// pull, <see cref="FanoutRecovery"/> finishes fan-outs left pending, <see cref="SourceAudience"/>
/// holds who receives the posts and <see cref="RecentPosts"/> pages through them. What differs
/// between the embedded default and durable mode is in <see cref="ISourceKeeping"/>.
/// </remarks>
[GrainType("source")]
public sealed class SourceGrain(
    [PersistentState("source", StorageNames.Main)] IPersistentState<SourceState> state,
    [PersistentState("source-audience", StorageNames.Main)] IPersistentState<DerivedAudienceState> audienceState,
    TimeOrderedIdGenerator ids,
    FeedDeliveryClient deliveries,
    IActivityLog activityLog,
    ISourceKeeping keeping,
    IOptions<FeedOptions> options,
    ILogger<SourceGrain> logger) : Grain, ISourceGrain
{
    private SourceId source;
    private SourceAudience audience = null!;
    private RecentPosts recent = null!;
    private FanoutRecovery recovery = null!;
    private PushPullPolicy policy = null!;
    private TopicIntake? topicIntake;

    // Created by the first publish: most sources in memory are only read (feeds' rebuilds, profiles).
    private SourcePublisher? publisher;

    // Set by a read of a source that has never published (see GetRecent).
    private IGrainTimer? emptyCheck;

    // Set while fan-outs wait to be finished (see FinishPendingFanouts).
    private IGrainTimer? pendingFanouts;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        source = SourceId.Parse(key);
        audience = new SourceAudience(audienceState, source, deliveries);
        if (source.Kind == SourceKind.Group)
        {
            await audience.TakeFromGroupAsync(GrainFactory);
        }

        recent = new RecentPosts(state, key, keeping, options);
        recovery = new FanoutRecovery(state, source, audience, activityLog, keeping, GrainFactory, logger);
        policy = new PushPullPolicy(state, audience, recent, options);
        if (source.Kind == SourceKind.Topic)
        {
            topicIntake = new TopicIntake(state, source, audience, recent, policy, recovery, GrainFactory, logger);
        }
        if (recovery.AnyPending)
        {
            // A previous activation died mid fan-out: finish it as soon as this one is running.
            FinishPendingFanouts(TimeSpan.Zero);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        recovery.StoreOnDeactivationAsync(reason, cancellationToken);

    public async Task<BatchOutcome<PostSnapshot>[]> PublishAll(NewPost[] posts)
    {
        publisher ??= new SourcePublisher(state, source, audience, recent, policy, recovery, activityLog, deliveries, ids, GrainFactory, logger);
        var outcomes = await publisher.PublishAllAsync(posts);
        if (publisher.LeftUnfinished)
        {
            publisher.LeftUnfinished = false;
            FinishPendingFanouts(FanoutRetryInterval);
        }

        return outcomes;
    }

    public Task ResumeFanout(long postId) => recovery.ResumeAsync(postId);

    public Task AddTagged(TaggedPost[] posts) =>
        topicIntake?.AddAsync(posts) ?? throw DomainException.Precondition("Only a topic's source takes tagged posts.");

    public async Task<IReadOnlyList<long>> AddAudience(IReadOnlyCollection<string> userIds)
    {
        if (state.State.Closed)
        {
            throw DomainException.NotFound($"User '{source.Id}'");
        }

        await audience.AddAsync(userIds);
        return recent.Backfill();
    }

    public Task RemoveAudience(string userId) => audience.RemoveAsync(userId);

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
            await state.WriteStateAsync();
        }
    }

    public Task<int> GetAudienceCount() => Task.FromResult(audience.Count);

    public Task<IdPage> ListAudience(string? after, int pageSize) => Task.FromResult(audience.Page(after, pageSize));

    public Task<IReadOnlyList<long>> GetRecent(long? before, int count)
    {
        if (IsEmpty && emptyCheck is null)
        {
            // Most people never post, yet every rebuild of their home feed asks their own source:
            // with nothing to give, it leaves memory soon rather than cost each of them an activation.
            emptyCheck = this.RegisterGrainTimer(LeaveIfStillEmpty, options.Value.EmptySourceLeavesAfter, Timeout.InfiniteTimeSpan);
        }

        return recent.PageAsync(before, count);
    }

    private bool IsEmpty => recent.IsEmpty && recovery.IsSettled;

    private static readonly TimeSpan FanoutRetryInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Finishes the pending fan-outs from timer turns, trying again every few seconds while the log
    /// or a silo keeps failing, so that a stored post always reaches its audience while the source stays.
    /// </summary>
    private void FinishPendingFanouts(TimeSpan dueTime)
    {
        if (pendingFanouts is not null)
        {
            return;
        }

        pendingFanouts = this.RegisterGrainTimer(
            async () =>
            {
                try
                {
                    await recovery.ResumeAllAsync();
                    pendingFanouts?.Dispose();
                    pendingFanouts = null;
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Pending fan-outs of {Source} could not be finished yet; trying again", source.Key);
                }
            },
            dueTime,
            FanoutRetryInterval);
    }

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
}
