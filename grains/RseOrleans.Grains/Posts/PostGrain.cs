using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RseOrleans.Grains.Durability;
using RseOrleans.Grains.Events;
using RseOrleans.Grains.Infrastructure;
using RseOrleans.Grains.Notifications;
using RseOrleans.Grains.Topics;
using RseOrleans.Model;

namespace RseOrleans.Grains.Posts;

/// <summary>
/// A post, its comments, and the totals of its reactions. The reactions themselves live in shard
/// grains (<see cref="IReactionShardGrain"/>); the post holds each shard's totals in memory, as
/// the shards report them, and reads them back from the shards when it activates.
/// </summary>
/// <remarks>Its state is in PostState.cs; comment threads and comment reactions are in types of their own (<see cref="PostComments"/>), as is the set of a post's shares (<see cref="PostShares"/>), and what an erasure takes back from notifications (<see cref="ErasedActs"/>).</remarks>
[GrainType("post")]
public sealed class PostGrain(
    [PersistentState("post", StorageNames.Main)] IPersistentState<PostState> state,
    TimeOrderedIdGenerator ids,
    IActivityLog activityLog,
    IOptions<ReactionOptions> reactionOptions,
    IOptions<PostOptions> postOptions,
    LocalReadModel readModel,
    EngineEvents events,
    TimeProvider clock) : Grain, IPostGrain, IPublishesLocally, IHasPublishedValue<PostSnapshot>, IRemindable
{
    // One empty table for every post with no reaction (most of them), never written to.
    private static readonly IReadOnlyDictionary<ReactionType, int> NoReactions = new Dictionary<ReactionType, int>();

    // Created by the first shard that reports: most posts in memory never get a reaction.
    private Dictionary<int, IReadOnlyDictionary<ReactionType, int>>? countsByShard;
    private IReadOnlyDictionary<ReactionType, int> totals = NoReactions;
    private int reactedShards;

    private LocalPublication<long, PostSnapshot>? publication;
    private IGrainTimer? shareCheck;

    // A post's later changes (edits, comments, its delete) lay the reminder once per activation; its
    // creation lays none, its events covered by its pending fan-out mark until settled (see EventsSettled).
    private const ReminderUse EventsReminder = ReminderUse.ForTheActivation;

    private EventOutbox<PostState>? outbox;

    private long PostId => this.GetPrimaryKeyLong();

    private LocalPublication<long, PostSnapshot> Published => publication ??=
        new LocalPublication<long, PostSnapshot>(readModel.Posts, PostId, this);

    ILocalPublication IPublishesLocally.Publication => Published;

    // Deleted posts are not published: readers miss and ask the grain, which answers null (rare in pages).
    PostSnapshot? IHasPublishedValue<PostSnapshot>.PublishedValue() => state.State.AuthorId is null || state.State.Deleted ? null : Snapshot([]);

    private EventOutbox<PostState> Outbox => outbox ??= events.OutboxOf(this, state, EventsReminder);

    public Task ReceiveReminder(string reminderName, TickStatus status) => Outbox.ReceiveReminder(reminderName);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var shards = Enumerable.Range(0, state.State.ReactionShards)
            .Where(shard => (state.State.ShardsWithReactions & (1 << shard)) != 0)
            .ToArray();
        var counts = await Task.WhenAll(shards.Select(shard =>
            GrainFactory.GetGrain<IReactionShardGrain>(ReactionShards.Key(PostId, shard)).GetCounts()));
        foreach (var (shard, shardCounts) in shards.Zip(counts))
        {
            (countsByShard ??= [])[shard] = shardCounts;
        }

        Sum();
        CheckSharesLater();
        outbox = events.ResumeOutboxOf(this, state, EventsReminder);

        // A profile's post names its author twice (author, source): read back from storage, as two strings.
        if (state.State.Source is { Kind: SourceKind.User } source && source.Id == state.State.AuthorId)
        {
            state.State.Source = SourceId.User(state.State.AuthorId);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Published.Stop();
        return Task.CompletedTask;
    }

    public Task<PostSnapshot> Create(string authorId, SourceId source, string text) => CreateAsync(authorId, source, text, sharedPostId: 0);

    public Task<PostSnapshot> CreateShare(string authorId, SourceId source, string text, long sharedPostId) => CreateAsync(authorId, source, text, sharedPostId);

    public async Task AddShare(long shareId)
    {
        EnsureLive();
        if (Shares.Add(shareId, clock.GetUtcNow()))
        {
            await state.WriteStateAsync();
            CheckSharesLater();
        }
    }

    /// <summary>
    /// A share is counted before it is stored, and uncounted if its write fails; when this post
    /// could not be told then, the share's id would stay counted for good. So a little later each
    /// counted share is looked at once: one that exists is confirmed, one that does not leaves.
    /// </summary>
    private void CheckSharesLater()
    {
        if (shareCheck is null && Shares.HasUnconfirmed)
        {
            var after = postOptions.Value.UnconfirmedSharesCheckedAfter;
            shareCheck = this.RegisterGrainTimer(CheckSharesAsync, new GrainTimerCreationOptions(after, after) { KeepAlive = true });
        }
    }

    private async Task CheckSharesAsync(CancellationToken cancellation)
    {
        if (await Shares.ConfirmAsync(GrainFactory, clock.GetUtcNow() - postOptions.Value.UnconfirmedSharesCheckedAfter))
        {
            await state.WriteStateAsync(CancellationToken.None);
        }

        if (!Shares.HasUnconfirmed)
        {
            shareCheck?.Dispose();
            shareCheck = null;
        }
    }

    public async Task RemoveShare(long shareId)
    {
        if (Shares.Remove(shareId))
        {
            await state.WriteStateAsync();
        }
    }

    private async Task<PostSnapshot> CreateAsync(string authorId, SourceId source, string text, long sharedPostId)
    {
        if (state.State.AuthorId is not null)
        {
            // Only a source creates a post, once, with an id it just issued: an existing post here
            // means two silos issued the same id (their node numbers collide). The source takes another.
            throw new DomainException(DomainError.AlreadyExists, $"Post id {PostId} is already taken.");
        }

        // Noted before the post exists: erasing the author must find it. Refused once they are erased.
        await GrainFactory.ContentIndexOf(authorId, PostId).NotePost(PostId);
        if (sharedPostId != 0)
        {
            // Counted before the share exists: a share that fails to be stored is uncounted below,
            // one that exists is never missing from the count.
            await GrainFactory.GetGrain<IPostGrain>(sharedPostId).AddShare(PostId);
        }

        state.State.AuthorId = authorId;
        state.State.SharedPostId = sharedPostId;
        state.State.Source = source;
        state.State.Text = text;
        state.State.MentionsAndTags = MentionsAndTagsParser.Parse(text).OrNullIfNone();
        state.State.CreatedAt = state.State.UpdatedAt = clock.GetUtcNow();
        state.State.ReactionShards = Math.Clamp(reactionOptions.Value.Shards, 1, 32);
        var created = EngineEvents.AboutPost(EngineEventKind.PostCreated, source, PostId, authorId, state.State.CreatedAt);
        try
        {
            await Outbox.WriteAsync(ReminderUse.AfterFailure, sharedPostId == 0
                ? [created]
                : [created, EngineEvents.AboutPost(EngineEventKind.PostShared, source, PostId, authorId, state.State.CreatedAt) with { SharedPostId = sharedPostId }]);
        }
        catch when (sharedPostId != 0)
        {
            await PostShares.UncountAsync(GrainFactory, state.State, PostId);
            throw;
        }

        return Snapshot([]);
    }

    public async Task<PostSnapshot?> Get(string viewerId)
    {
        Published.MarkRead();
        if (state.State.AuthorId is null || state.State.Deleted)
        {
            return null;
        }

        // Most posts have no reactions, and most viewers' shards none: then there is no shard to ask.
        var post = Snapshot([]);
        return post.MayHoldReactionsOf(viewerId)
            ? post with { MyReactions = await GrainFactory.ReactionShard(PostId, state.State.ReactionShards, viewerId).GetReactionsOf(viewerId) }
            : post;
    }

    public Task EventsSettled() => outbox?.SettledAsync() ?? Task.CompletedTask;

    public async Task<PostSnapshot> Edit(string actorId, string text)
    {
        var authorId = EnsureLive();
        if (actorId != authorId)
        {
            throw DomainException.Denied("Only the author edits a post.");
        }

        var activityId = ids.NextId();
        state.State.Text = text;
        state.State.MentionsAndTags = MentionsAndTagsParser.Parse(text).OrNullIfNone();
        state.State.UpdatedAt = clock.GetUtcNow();
        await Outbox.WriteAsync(EngineEvents.AboutPost(EngineEventKind.PostUpdated, state.State.Source, PostId, actorId, state.State.UpdatedAt));
        await LogAsync(activityId, ActivityKind.Edited, actorId, state.State.Text, state.State.UpdatedAt);
        var edited = (await Get(actorId))!;
        await TopicPublishing.PublishAsync(GrainFactory, edited.Source, [edited], Logger);
        return edited;
    }

    public async Task Delete(string actorId)
    {
        var authorId = EnsureLive();
        var activityId = ids.NextId();
        await UncountShareBeforeDeleteAsync();

        // Feeds hold references only: once the post is gone, hydration drops it everywhere.
        var comments = state.State.Comments.ToArray();
        state.State.Deleted = true;
        state.State.Text = "";
        state.State.MentionsAndTags = null;
        Comments.Clear();
        state.State.UpdatedAt = clock.GetUtcNow();
        await WriteDeleteAsync(uncounted: true, EngineEvents.AboutPost(EngineEventKind.PostDeleted, state.State.Source, PostId, actorId, state.State.UpdatedAt));
        await LogAsync(activityId, ActivityKind.Deleted, actorId, null, state.State.UpdatedAt);
        await WithdrawGroupPostAsync(authorId);

        // The post stays in its author's index: its tombstone names them until they are erased.
        await ForgetInIndexesAsync(comments);
    }

    /// <summary>
    /// A share leaves its original's count before its delete is written, never after: an original
    /// that cannot be reached then fails the delete with nothing changed, and the caller's retry
    /// uncounts it (the original keeps a set of ids, so twice is once). Uncounting after the write
    /// would leave the count one too high for good, since a deleted post is never deleted again.
    /// </summary>
    private Task UncountShareBeforeDeleteAsync() => PostShares.UncountAsync(GrainFactory, state.State, PostId);

    /// <summary>Writes a delete (with its event, if any); when the write fails after the share was uncounted, it is counted again (the retry uncounts it once more).</summary>
    private async Task WriteDeleteAsync(bool uncounted, params IReadOnlyList<EngineEvent> told)
    {
        try
        {
            await Outbox.WriteAsync(told);
        }
        catch when (uncounted)
        {
            await PostShares.RecountAsync(GrainFactory, state.State, PostId);
            throw;
        }
    }

    /// <summary>A group's post deleted: whoever was told of it as a new post takes it back.</summary>
    private Task WithdrawGroupPostAsync(string authorId) =>
        GroupPostNotifying.WithdrawnAsync(GrainFactory, state.State.Source, new GroupPostNotice(PostId, authorId, state.State.CreatedAt), Logger);

    private ILogger Logger => ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger<PostGrain>();

    public Task<CommentSnapshot> AddComment(string authorId, string text, ulong request) => AddCommentAsync(authorId, text, request, replyTo: null);

    public Task<CommentSnapshot> AddReply(string authorId, long replyToCommentId, string text, ulong request) => AddCommentAsync(authorId, text, request, replyToCommentId);

    public Task<CommentSnapshot?> GetComment(long commentId) =>
        Task.FromResult(state.State.Deleted || Comments.Find(commentId) is not { } comment ? null : Comments.Snapshot(comment));

    public Task<IReadOnlyList<string>> GetCommentAuthors() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Deleted ? [] : [.. state.State.Comments.Select(comment => comment.AuthorId)]);

    public Task<IReadOnlyList<IReadOnlyList<string>>> GetReplyAuthors(IReadOnlyList<long> commentIds) =>
        Task.FromResult(state.State.Deleted ? [.. commentIds.Select(_ => (IReadOnlyList<string>)[])] : Comments.ReplyAuthors(commentIds));

    public Task<CommentPage> ListComments(string viewerId, long parentCommentId, long? after, int pageSize) =>
        Task.FromResult(state.State.Deleted ? new CommentPage([], null) : Comments.List(viewerId, parentCommentId, after, pageSize));

    public async Task DeleteComment(string actorId, long commentId)
    {
        EnsureLive();
        var removed = Comments.Remove(commentId);
        var at = clock.GetUtcNow();

        // Told to the process's listeners only (a kind subscribers do not take): nothing waits in the outbox.
        await Outbox.WriteAsync([.. removed.Select(c => EngineEvents.AboutPost(EngineEventKind.CommentDeleted, state.State.Source, PostId, actorId, at) with { CommentId = c.CommentId })]);
        await activityLog.AppendAllAsync([.. removed.Select(c => new Activity(c.CommentId, ActivityKind.CommentDeleted, PostId, state.State.Source.Key, actorId, null, at))]);
        await ForgetInIndexesAsync(removed);
    }

    public async Task<ReactionSummary> ReactToComment(string userId, long commentId, ReactionType type, bool remove)
    {
        EnsureLive();
        Comments.Require(commentId);
        if (!remove && !Comments.HasReacted(commentId, userId, type))
        {
            // Noted before the reaction exists: erasing the reactor must find it. Refused once they are erased.
            await GrainFactory.ContentIndexOf(userId, PostId).NoteCommentReactions(PostId);
        }

        if (Comments.React(commentId, userId, type, remove))
        {
            await state.WriteStateAsync();
        }

        return Comments.SummaryOf(commentId, userId);
    }

    public Task<ReactionSummary?> GetCommentReactions(long commentId, string viewerId) =>
        Task.FromResult(state.State.Deleted || Comments.Find(commentId) is null ? null : Comments.SummaryOf(commentId, viewerId));

    public Task<IReadOnlyList<ReactionRecord>> GetCommentReactionsOf(string userId) => Task.FromResult(Comments.ReactionsOf(userId));

    public async Task<PostErasure> EraseContentOf(string userId)
    {
        if (state.State.AuthorId is null)
        {
            return new PostErasure(PostDeleted: false, CommentsRemoved: 0);
        }

        var wasLive = !state.State.Deleted;
        var ownPost = state.State.AuthorId == userId;
        if (ownPost && wasLive)
        {
            // Before anything changes in memory: an original out of reach fails the erasure, which is retried.
            await UncountShareBeforeDeleteAsync();
        }

        // Known before the state forgets them, sent once it is written: what the acts counted in others' notifications.
        var withdrawals = await ErasedActs.OnPostAsync(GrainFactory, state.State, PostId, userId, Comments, clock.GetUtcNow());
        var theirs = state.State.Comments.Count(c => c.AuthorId == userId);
        var reactions = Comments.EraseReactionsOf(userId);
        if (ownPost)
        {
            var others = state.State.Comments.Where(c => c.AuthorId != userId).ToArray();

            // A deleted post keeps a tombstone so that its id is never reused; nothing in it says whose it was.
            state.State.Deleted = true;
            state.State.AuthorId = "";
            state.State.Source = state.State.Source.Kind == SourceKind.User ? SourceId.User("") : state.State.Source;
            state.State.Text = "";
            state.State.MentionsAndTags = null;
            Comments.Clear();
            await WriteDeleteAsync(uncounted: wasLive, wasLive ? [EngineEvents.AboutPost(EngineEventKind.PostDeleted, state.State.Source, PostId, userId, clock.GetUtcNow())] : []);
            if (wasLive)
            {
                await WithdrawGroupPostAsync(userId);
            }

            await ErasedActs.WithdrawAsync(GrainFactory, withdrawals);
            await ForgetInIndexesAsync(others);
            return new PostErasure(wasLive, theirs) { CommentReactionsRemoved = reactions };
        }

        if (theirs + reactions > 0)
        {
            // The replies to their comments go with them, as with a delete, and leave their authors' indexes.
            var removed = Comments.RemoveAllOf(userId);
            await state.WriteStateAsync();
            await ErasedActs.WithdrawAsync(GrainFactory, withdrawals);
            await ForgetInIndexesAsync([.. removed.Where(c => c.AuthorId != userId)]);
        }

        return new PostErasure(PostDeleted: false, theirs) { CommentReactionsRemoved = reactions };
    }

    public async Task<IReadOnlyDictionary<ReactionType, int>> ReportReactionCounts(int shard, IReadOnlyDictionary<ReactionType, int> counts)
    {
        (countsByShard ??= [])[shard] = counts;
        Sum();
        var bit = 1 << shard;
        if ((state.State.ShardsWithReactions & bit) == 0)
        {
            // At most once per shard in the post's life.
            state.State.ShardsWithReactions |= bit;
            await state.WriteStateAsync();
        }

        return totals;
    }

    private Task LogAsync(long activityId, ActivityKind kind, string actorId, string? body, DateTimeOffset at) =>
        activityLog.AppendAsync(new Activity(activityId, kind, PostId, state.State.Source.Key, actorId, body, at));

    /// <summary>
    /// Takes deleted comments out of their authors' indexes, after the state that removed them is
    /// saved: an index may name missing content for a moment, never miss existing content.
    /// </summary>
    private Task ForgetInIndexesAsync(IReadOnlyCollection<CommentState> comments) =>
        Task.WhenAll(comments
            .GroupBy(c => ContentIndex.Key(c.AuthorId, ContentIndex.PeriodOf(c.CommentId)), StringComparer.Ordinal)
            .Select(byIndex => GrainFactory.GetGrain<IContentIndexGrain>(byIndex.Key)
                .ForgetComments(byIndex.Select(c => new CommentRef(PostId, c.CommentId)).ToArray())));

    private async Task<CommentSnapshot> AddCommentAsync(string authorId, string text, ulong request, long? replyTo)
    {
        EnsureLive();
        if (state.State.Requests.CreatedBy(request) is { } earlier)
        {
            return Comments.Find(earlier) is { } stored
                ? Comments.Snapshot(stored)
                : throw new DomainException(DomainError.NotFound, $"Comment {earlier}, which this request created, has since been deleted.");
        }

        // One level of threads: a reply to a reply answers the top-level comment of its thread.
        var comment = new CommentState(ids.NextId(), authorId, text, clock.GetUtcNow(), MentionsAndTagsParser.Parse(text).OrNullIfNone())
        {
            ReplyTo = Comments.ThreadOf(replyTo),
            Answered = replyTo ?? 0,
        };

        // Noted before the comment exists: erasing its author must find it. Refused once they are erased.
        await GrainFactory.ContentIndexOf(authorId, comment.CommentId).NoteComment(new CommentRef(PostId, comment.CommentId));
        state.State.Comments.Add(comment);
        state.State.Requests.Stamp(request, comment.CommentId);
        await Outbox.WriteAsync(EngineEvents.AboutPost(EngineEventKind.CommentCreated, state.State.Source, PostId, authorId, comment.CreatedAt) with { CommentId = comment.CommentId });
        await LogAsync(comment.CommentId, ActivityKind.Commented, authorId, comment.Text, comment.CreatedAt);
        return Comments.Snapshot(comment);
    }

    private string EnsureLive() =>
        state.State.AuthorId is { } author && !state.State.Deleted ? author : throw DomainException.NotFound($"Post '{PostId}'");

    private PostComments Comments => new(state.State, PostId);

    private PostShares Shares => new(state.State);

    /// <summary>The totals over the shards, and which shards hold a reaction.</summary>
    private void Sum()
    {
        var sum = new Dictionary<ReactionType, int>();
        reactedShards = 0;
        foreach (var (shard, counts) in countsByShard ?? [])
        {
            foreach (var (type, count) in counts)
            {
                sum[type] = sum.GetValueOrDefault(type) + count;
                reactedShards |= count > 0 ? 1 << shard : 0;
            }
        }

        var live = sum.Where(entry => entry.Value > 0).ToDictionary();
        totals = live.Count == 0 ? NoReactions : live;
    }

    private PostSnapshot Snapshot(IReadOnlyList<ReactionType> myReactions) => new(
        PostId,
        state.State.AuthorId!,
        state.State.Source,
        state.State.Text,
        state.State.CreatedAt,
        state.State.UpdatedAt,
        state.State.Comments.Count,
        totals,
        myReactions,
        state.State.ReactionShards)
    {
        MentionsAndTags = state.State.MentionsAndTags ?? MentionsAndTags.None,
        SharedPostId = state.State.SharedPostId,
        ShareCount = Shares.Count,
        ReactedShards = reactedShards,
    };
}
