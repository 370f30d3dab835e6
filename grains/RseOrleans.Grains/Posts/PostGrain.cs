using RseOrleans.Grains.Infrastructure;
using RseOrleans.Model;

namespace RseOrleans.Grains.Posts;

[GenerateSerializer]
[Alias("rse.CommentState")]
public sealed record CommentState(
    [property: Id(0)] long CommentId,
    [property: Id(1)] string AuthorId,
    [property: Id(2)] string Text,
    [property: Id(3)] DateTimeOffset CreatedAt);

[GenerateSerializer]
[Alias("rse.PostState")]
public sealed class PostState
{
    [Id(0)]
    public string? AuthorId { get; set; }

    [Id(1)]
    public SourceId Source { get; set; }

    [Id(2)]
    public string Text { get; set; } = "";

    [Id(3)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(4)]
    public DateTimeOffset UpdatedAt { get; set; }

    [Id(5)]
    public bool Deleted { get; set; }

    /// <summary>Live comments, oldest first (ids are time-ordered).</summary>
    [Id(6)]
    public List<CommentState> Comments { get; set; } = [];

    /// <summary>Who gave each reaction type: a set, so a user counts once per type.</summary>
    [Id(7)]
    public Dictionary<ReactionType, HashSet<string>> Reactions { get; set; } = [];

    [Id(8)]
    public RequestLog Requests { get; set; } = new();
}

[GrainType("post")]
public sealed class PostGrain(
    [PersistentState("post", StorageNames.Main)] IPersistentState<PostState> state,
    TimeOrderedIdGenerator ids,
    TimeProvider clock) : Grain, IPostGrain
{
    private const string EditOperation = "edit-post";
    private const string DeleteOperation = "delete-post";
    private const string CommentOperation = "comment";
    private const string DeleteCommentOperation = "delete-comment";
    private const string ReactOperation = "react";
    private const string UnreactOperation = "unreact";

    private long PostId => this.GetPrimaryKeyLong();

    public async Task<PostSnapshot> Create(string authorId, SourceId source, string text)
    {
        if (state.State.AuthorId is null)
        {
            state.State.AuthorId = authorId;
            state.State.Source = source;
            state.State.Text = text;
            state.State.CreatedAt = state.State.UpdatedAt = clock.GetUtcNow();
            await state.WriteStateAsync();
        }

        return Snapshot(authorId);
    }

    public Task<PostSnapshot?> Get(string viewerId) =>
        Task.FromResult(state.State.AuthorId is null || state.State.Deleted ? null : Snapshot(viewerId));

    public async Task<PostSnapshot> Edit(string actorId, string text, string requestId)
    {
        var authorId = EnsureLive();
        if (actorId != authorId)
        {
            throw DomainException.Denied("Only the author edits a post.");
        }

        if (!state.State.Requests.TryGet(EditOperation, actorId, requestId, out _))
        {
            state.State.Text = text;
            state.State.UpdatedAt = clock.GetUtcNow();
            state.State.Requests.Record(EditOperation, actorId, requestId);
            await state.WriteStateAsync();
        }

        return Snapshot(actorId);
    }

    public async Task Delete(string actorId, string requestId)
    {
        if (state.State.Requests.TryGet(DeleteOperation, actorId, requestId, out _))
        {
            return;
        }

        EnsureLive();

        // Feeds hold references only: once the post is gone, hydration drops it everywhere.
        state.State.Deleted = true;
        state.State.Text = "";
        state.State.Comments.Clear();
        state.State.Reactions.Clear();
        state.State.UpdatedAt = clock.GetUtcNow();
        state.State.Requests.Record(DeleteOperation, actorId, requestId);
        await state.WriteStateAsync();
    }

    public async Task<CommentSnapshot> AddComment(string authorId, string text, string requestId)
    {
        EnsureLive();
        if (state.State.Requests.TryGet(CommentOperation, authorId, requestId, out var earlierId))
        {
            return FindComment(earlierId) is { } earlier
                ? ToSnapshot(earlier)
                : throw DomainException.Precondition("The comment this request created has since been deleted.");
        }

        var comment = new CommentState(ids.NextId(), authorId, text, clock.GetUtcNow());
        state.State.Comments.Add(comment);
        state.State.Requests.Record(CommentOperation, authorId, requestId, comment.CommentId);
        await state.WriteStateAsync();
        return ToSnapshot(comment);
    }

    public Task<CommentSnapshot?> GetComment(long commentId) =>
        Task.FromResult(state.State.Deleted || FindComment(commentId) is not { } comment ? null : ToSnapshot(comment));

    public Task<CommentPage> ListComments(long? after, int pageSize)
    {
        var comments = state.State.Comments;
        var start = after is { } cursor ? comments.FindIndex(c => c.CommentId > cursor) : 0;
        if (start < 0 || state.State.Deleted)
        {
            return Task.FromResult(new CommentPage([], null));
        }

        var page = comments.Skip(start).Take(pageSize).Select(ToSnapshot).ToArray();
        long? next = start + page.Length < comments.Count && page.Length > 0 ? page[^1].CommentId : null;
        return Task.FromResult(new CommentPage(page, next));
    }

    public async Task DeleteComment(string actorId, long commentId, string requestId)
    {
        if (state.State.Requests.TryGet(DeleteCommentOperation, actorId, requestId, out _))
        {
            return;
        }

        EnsureLive();
        var index = state.State.Comments.FindIndex(c => c.CommentId == commentId);
        if (index < 0)
        {
            throw DomainException.NotFound($"Comment '{commentId}'");
        }

        state.State.Comments.RemoveAt(index);
        state.State.Requests.Record(DeleteCommentOperation, actorId, requestId);
        await state.WriteStateAsync();
    }

    public Task<ReactionSummary> AddReaction(string userId, ReactionType type, string requestId) =>
        React(ReactOperation, userId, type, requestId, (reactions, user) => reactions.Add(user));

    public Task<ReactionSummary> RemoveReaction(string userId, ReactionType type, string requestId) =>
        React(UnreactOperation, userId, type, requestId, (reactions, user) => reactions.Remove(user));

    private async Task<ReactionSummary> React(
        string operation, string userId, ReactionType type, string requestId, Func<HashSet<string>, string, bool> change)
    {
        EnsureLive();
        if (!state.State.Requests.TryGet(operation, userId, requestId, out _))
        {
            if (!state.State.Reactions.TryGetValue(type, out var reactors))
            {
                state.State.Reactions[type] = reactors = new HashSet<string>(StringComparer.Ordinal);
            }

            change(reactors, userId);
            state.State.Requests.Record(operation, userId, requestId);
            await state.WriteStateAsync();
        }

        return new ReactionSummary(Counts(), MyReactions(userId));
    }

    private string EnsureLive() =>
        state.State.AuthorId is { } author && !state.State.Deleted ? author : throw DomainException.NotFound($"Post '{PostId}'");

    private CommentState? FindComment(long commentId) => state.State.Comments.Find(c => c.CommentId == commentId);

    private CommentSnapshot ToSnapshot(CommentState comment) =>
        new(comment.CommentId, PostId, comment.AuthorId, comment.Text, comment.CreatedAt);

    private Dictionary<ReactionType, int> Counts() =>
        state.State.Reactions.Where(r => r.Value.Count > 0).ToDictionary(r => r.Key, r => r.Value.Count);

    private ReactionType[] MyReactions(string userId) =>
        state.State.Reactions.Where(r => r.Value.Contains(userId)).Select(r => r.Key).Order().ToArray();

    private PostSnapshot Snapshot(string viewerId) => new(
        PostId,
        state.State.AuthorId!,
        state.State.Source,
        state.State.Text,
        state.State.CreatedAt,
        state.State.UpdatedAt,
        state.State.Comments.Count,
        Counts(),
        MyReactions(viewerId));
}
