using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RseOrleans.Api.Reads;
using RseOrleans.Grains.Search;
using RseOrleans.Model;
using RseOrleans.Search;

namespace RseOrleans.Api.Search;

/// <summary>
/// Keeps the search index, a derived copy, in step with the writes this process acknowledges:
/// one call per fact (a post or comment written or deleted, a profile written, a person erased, a
/// group created), queued and applied in order by one loop, so that a write never waits for the
/// index and an edit never lands before the post it edits. Hides and membership changes need no
/// call: every search checks its candidates against the live rules.
/// While the index is away the queue holds what was written and the loop retries every second,
/// so the index catches up by itself when it returns.
/// </summary>
public sealed partial class SearchIndexFeeder(ISearchIndex index, GrainReads reads, ILogger<SearchIndexFeeder> logger) : BackgroundService, ISearchFeed
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<Func<ISearchIndex, Task>> writes = Channel.CreateUnbounded<Func<ISearchIndex, Task>>(new UnboundedChannelOptions { SingleReader = true });
    private int waiting;

    /// <summary>Whether writes wait for the index (it is away, or the loop is behind).</summary>
    public bool IsBehind => Volatile.Read(ref waiting) > 0;

    /// <summary>
    /// Posts and comments go to the index from here only when the engine does not take them from
    /// the activity log itself (the embedded one); durable mode indexes what the grains logged.
    /// </summary>
    private bool FeedsContent { get; } = index is not IContentFedFromActivityLog;

    public void PostWritten(PostSnapshot post) => FeedContent(async target =>
    {
        var language = await AuthorLanguageAsync(post.AuthorId);
        await target.IndexPostAsync(new IndexedPost(
            post.PostId, post.AuthorId, post.GroupId, post.Text, post.CreatedAt, language, post.MentionsAndTags.Hashtags, post.MentionsAndTags.Mentions));
    });

    public void PostDeleted(long postId) => FeedContent(target => target.RemovePostAsync(postId));

    public void CommentWritten(PostSnapshot post, CommentSnapshot comment) => FeedContent(async target =>
    {
        var language = await AuthorLanguageAsync(comment.AuthorId);
        await target.IndexCommentAsync(new IndexedComment(
            post.PostId, comment.CommentId, comment.AuthorId, post.GroupId, comment.Text, comment.CreatedAt, language, comment.MentionsAndTags.Hashtags, comment.MentionsAndTags.Mentions));
    });

    public void CommentDeleted(long postId, long commentId) => FeedContent(target => target.RemoveCommentAsync(postId, commentId));

    public void PersonWritten(UserSnapshot user) => Feed(target => target.IndexPersonAsync(new IndexedPerson(
        user.UserId, user.Profile.DisplayName, user.Profile.Title, user.Profile.Department, user.Profile.Location, user.Profile.Language, user.Profile.Skills)));

    public void PersonErased(string userId) => Feed(target => target.RemovePersonAndContentAsync(userId));

    public void GroupWritten(GroupSnapshot group) => Feed(target => target.IndexGroupAsync(new IndexedGroup(
        group.GroupId, group.Spec.Name, group.Spec.Description, group.Spec.Visibility.ToString().ToLowerInvariant())));

    private void FeedContent(Func<ISearchIndex, Task> write)
    {
        if (FeedsContent)
        {
            Feed(write);
        }
    }

    private void Feed(Func<ISearchIndex, Task> write)
    {
        Interlocked.Increment(ref waiting);
        writes.Writer.TryWrite(write);
    }

    private async Task<string?> AuthorLanguageAsync(string userId) => (await reads.GetUser(userId))?.Profile.Language;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var write in writes.Reader.ReadAllAsync(stoppingToken))
            {
                await ApplyAsync(write, stoppingToken);
                Interlocked.Decrement(ref waiting);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the embedded index goes with the process anyway.
        }
    }

    /// <summary>Until it is applied while the index is away; a write that fails otherwise is logged and dropped.</summary>
    private async Task ApplyAsync(Func<ISearchIndex, Task> write, CancellationToken stoppingToken)
    {
        var warned = false;
        while (true)
        {
            try
            {
                await write(index);
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
