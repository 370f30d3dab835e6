using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RseOrleans.Api.Reads;
using RseOrleans.Grains;
using RseOrleans.Grains.Events;
using RseOrleans.Model;
using RseOrleans.Search;

namespace RseOrleans.Api.Search;

/// <summary>
/// Keeps the search index, a derived copy, in step with what this process's grains store: it
/// listens to their engine events (<see cref="IEngineEventListener"/>), so a change is indexed
/// whoever made it (the API, another grain, an erasure). Events carry ids only: each is applied by
/// reading the owner's current state, in order, by one loop, so that a write never waits for the
/// index and an entry always ends as its owner's latest state. Hides and membership changes need
/// nothing: every search checks its candidates against the live rules.
/// While the index is away the queue holds what was written and the loop retries every second,
/// so the index catches up by itself when it returns. The embedded engine's only: the durable one
/// feeds itself (<see cref="IFedFromStoredQueues"/>).
/// </summary>
public sealed partial class SearchIndexFeeder(ISearchIndex index, IGrainFactory grains, GrainReads reads, ILogger<SearchIndexFeeder> logger) : BackgroundService, IEngineEventListener
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<EngineEvent> writes = Channel.CreateUnbounded<EngineEvent>(new UnboundedChannelOptions { SingleReader = true });
    private int waiting;

    /// <summary>Whether writes wait for the index (it is away, or the loop is behind).</summary>
    public bool IsBehind => Volatile.Read(ref waiting) > 0;

    /// <summary>
    /// Only the embedded engine is fed from here: durable mode's indexes what PostgreSQL queued
    /// with each stored change, which outlives this process.
    /// </summary>
    private bool Feeds { get; } = index is not IFedFromStoredQueues;

    public void Take(IReadOnlyList<EngineEvent> events)
    {
        if (!Feeds)
        {
            return;
        }

        foreach (var engineEvent in events)
        {
            if (IsIndexed(engineEvent.Kind))
            {
                Interlocked.Increment(ref waiting);
                writes.Writer.TryWrite(engineEvent);
            }
        }
    }

    private static bool IsIndexed(EngineEventKind kind) => kind is
        EngineEventKind.UserCreated or EngineEventKind.UserUpdated or EngineEventKind.UserErased or EngineEventKind.GroupCreated
        or EngineEventKind.PostCreated or EngineEventKind.PostUpdated or EngineEventKind.PostDeleted
        or EngineEventKind.CommentCreated or EngineEventKind.CommentDeleted;

    /// <summary>The event applied as its owner's state is now.</summary>
    private Task ApplyAsync(EngineEvent e) => e.Kind switch
    {
        EngineEventKind.UserCreated or EngineEventKind.UserUpdated => IndexPersonAsync(e.UserId ?? e.ActorId),
        EngineEventKind.UserErased => index.RemovePersonAndContentAsync(e.UserId ?? e.ActorId),
        EngineEventKind.GroupCreated => IndexGroupAsync(e.GroupId!),
        EngineEventKind.PostCreated or EngineEventKind.PostUpdated => IndexPostAsync(e.PostId),
        EngineEventKind.PostDeleted => index.RemovePostAsync(e.PostId),
        EngineEventKind.CommentCreated => IndexCommentAsync(e.PostId, e.CommentId, e.GroupId),
        EngineEventKind.CommentDeleted => index.RemoveCommentAsync(e.PostId, e.CommentId),
        _ => Task.CompletedTask,
    };

    private async Task IndexPersonAsync(string userId)
    {
        // Gone since (an erasure queued behind): that event removes it.
        if (await grains.GetGrain<IUserGrain>(userId).Get() is { } user)
        {
            await index.IndexPersonAsync(new IndexedPerson(
                user.UserId, user.Profile.DisplayName, user.Profile.Title, user.Profile.Department, user.Profile.Location, user.Profile.Language, user.Profile.Skills));
        }
    }

    private async Task IndexGroupAsync(string groupId)
    {
        if (await grains.GetGrain<IGroupGrain>(groupId).Get() is { } group)
        {
            await index.IndexGroupAsync(new IndexedGroup(group.GroupId, group.Spec.Name, group.Spec.Description, group.Spec.Visibility.ToString().ToLowerInvariant()));
        }
    }

    private async Task IndexPostAsync(long postId)
    {
        if (await grains.GetGrain<IPostGrain>(postId).Get(viewerId: "") is not { } post)
        {
            await index.RemovePostAsync(postId);
            return;
        }

        var language = await AuthorLanguageAsync(post.AuthorId);
        await index.IndexPostAsync(new IndexedPost(
            post.PostId, post.AuthorId, post.GroupId, post.Text, post.CreatedAt, language, post.MentionsAndTags.Hashtags, post.MentionsAndTags.Mentions));
    }

    private async Task IndexCommentAsync(long postId, long commentId, string? groupId)
    {
        if (await grains.GetGrain<IPostGrain>(postId).GetComment(commentId) is not { } comment)
        {
            await index.RemoveCommentAsync(postId, commentId);
            return;
        }

        var language = await AuthorLanguageAsync(comment.AuthorId);
        await index.IndexCommentAsync(new IndexedComment(
            postId, comment.CommentId, comment.AuthorId, groupId, comment.Text, comment.CreatedAt, language, comment.MentionsAndTags.Hashtags, comment.MentionsAndTags.Mentions));
    }

    private async Task<string?> AuthorLanguageAsync(string userId) => (await reads.GetUser(userId))?.Profile.Language;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var engineEvent in writes.Reader.ReadAllAsync(stoppingToken))
            {
                await ApplyUntilDoneAsync(engineEvent, stoppingToken);
                Interlocked.Decrement(ref waiting);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the embedded index goes with the process anyway.
        }
    }

    /// <summary>Until it is applied while the index is away; a write that fails otherwise is logged and dropped.</summary>
    private async Task ApplyUntilDoneAsync(EngineEvent engineEvent, CancellationToken stoppingToken)
    {
        var warned = false;
        while (true)
        {
            try
            {
                await ApplyAsync(engineEvent);
                if (warned)
                {
                    LogCaughtUp(logger);
                }

                return;
            }
            catch (SearchUnavailableException e)
            {
                if (!warned)
                {
                    LogAway(logger, e.Message);
                    warned = true;
                }

                await Task.Delay(RetryInterval, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A read of the author that failed, a text the engine refused: one entry is missing
                // until that item is written again; the rest goes on.
                LogDropped(logger, e);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Search index away ({Reason}); writes wait in memory and are applied when it returns.")]
    private static partial void LogAway(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index back; the writes that waited are being applied.")]
    private static partial void LogCaughtUp(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "A write to the search index failed and was dropped; that entry is missing from search until it is written again.")]
    private static partial void LogDropped(ILogger logger, Exception exception);
}
