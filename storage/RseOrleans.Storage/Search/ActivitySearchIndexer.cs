using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RseOrleans.Grains.Durability;
using RseOrleans.Model;
using RseOrleans.Search;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Search;

/// <summary>
/// Feeds posts and comments to the PostgreSQL search tables from the activity log, whoever wrote
/// it: any silo's API, or a grain by itself (an erasure cascade). A trigger queues every activity
/// appended (rse_search_pending); every silo runs this loop, and the one that holds the lock takes
/// the oldest queued activities, applies them and removes them in one transaction, so that each is
/// applied once, in order, and a silo that dies in the middle leaves them to the next. It looks
/// every quarter of a second while idle, at once while behind: a post is found within a second of
/// being acknowledged. While PostgreSQL is away the queue waits in it, nothing is lost. Each round
/// first indexes the people and groups queued (<see cref="OwnerSearchIndexer"/>), so that a new
/// author's language is known before their first post is.
/// </summary>
public sealed partial class ActivitySearchIndexer(
    NpgsqlDataSource database,
    [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker,
    OwnerSearchIndexer owners,
    ILogger<ActivitySearchIndexer> logger) : BackgroundService
{
    /// <summary>Names the lock that makes one silo at a time the indexer; any constant shared by all.</summary>
    private const long IndexerLockKey = 0x7273_655F_7365_6172;

    private const int BatchSize = 2000;

    private static readonly TimeSpan IdleInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan AwayInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var owned = await owners.IndexPendingAsync(stoppingToken);
                var applied = await IndexPendingAsync(stoppingToken);
                if (failing)
                {
                    LogCaughtUp();
                    failing = false;
                }

                wait = applied == BatchSize || owned == OwnerSearchIndexer.BatchSize ? TimeSpan.Zero : IdleInterval;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (!failing)
                {
                    LogFailing(e);
                    failing = true;
                }

                wait = AwayInterval;
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// One round: the oldest queued activities applied and dequeued, or nothing when another silo
    /// is at it. Returns how many were taken.
    /// </summary>
    public Task<int> IndexPendingAsync(CancellationToken cancellationToken = default) => breaker.RunAsync(async () =>
    {
        await using var round = await IndexerRound.TryBeginAsync(database, IndexerLockKey, cancellationToken);
        if (round is null)
        {
            return 0;
        }

        var (connection, transaction) = (round.Connection, round.Transaction);

        var queued = await QueuedAsync(connection, transaction, cancellationToken);
        if (queued.Count == 0)
        {
            return 0;
        }

        var languages = await AuthorLanguagesAsync(connection, transaction, queued, cancellationToken);
        var changes = new ContentChanges();
        foreach (var activity in queued)
        {
            Describe(changes, activity, languages);
        }

        await changes.ApplyAsync(connection, transaction, cancellationToken);
        // By number, never "up to": a row of a lower number that committed meanwhile was not read.
        await using (var dequeue = new NpgsqlCommand("DELETE FROM rse_search_pending WHERE seq = ANY($1)", connection, transaction))
        {
            dequeue.Parameters.Add(new() { Value = queued.Select(q => q.Seq).ToArray() });
            await dequeue.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return queued.Count;
    });

    /// <summary>
    /// Empties the posts and comments of search and queues the whole activity log again; the loop
    /// then indexes it. Returns how many activities were queued.
    /// </summary>
    public Task<long> RequeueAllAsync(CancellationToken cancellationToken = default) => breaker.RunAsync(async () =>
    {
        // No time limit: the whole log is read.
        await using var command = database.CreateCommand("SELECT rse_search_requeue_all()");
        command.CommandTimeout = 0;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    });

    private sealed record Queued(long Seq, ActivityKind Kind, long ActivityId, long PostId, string SourceKey, string ActorId, string? Body, DateTimeOffset OccurredAt);

    /// <summary>
    /// The oldest queued rows, with their activity; a row whose activity is gone (erased since) is
    /// dropped with the batch. Rows locked by a writer still in its transaction are not visible yet
    /// and are taken a round later.
    /// </summary>
    private static async Task<List<Queued>> QueuedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT p.seq, p.kind, p.activity_id, a.post_id, a.source_key, a.actor_id, a.body, a.occurred_at
              FROM (SELECT seq, activity_id, kind FROM rse_search_pending ORDER BY seq LIMIT $1) AS p
              LEFT JOIN rse_activity a ON a.activity_id = p.activity_id AND a.kind = p.kind
             ORDER BY p.seq
            """,
            connection,
            transaction);
        command.Parameters.Add(new() { Value = BatchSize });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var queued = new List<Queued>();
        while (await reader.ReadAsync(cancellationToken))
        {
            queued.Add(reader.IsDBNull(3)
                ? new Queued(reader.GetInt64(0), 0, reader.GetInt64(2), 0, "", "", null, default)
                : new Queued(
                    reader.GetInt64(0),
                    (ActivityKind)reader.GetInt16(1),
                    reader.GetInt64(2),
                    reader.GetInt64(3),
                    reader.GetString(4),
                    reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return queued;
    }

    /// <summary>The language each author's profile declares, as search keeps it.</summary>
    private static async Task<Dictionary<string, string>> AuthorLanguagesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Queued> queued, CancellationToken cancellationToken)
    {
        var authors = queued.Where(q => q.Kind is ActivityKind.Posted or ActivityKind.Commented).Select(q => q.ActorId).Distinct(StringComparer.Ordinal).ToArray();
        var languages = new Dictionary<string, string>(StringComparer.Ordinal);
        if (authors.Length == 0)
        {
            return languages;
        }

        await using var command = new NpgsqlCommand("SELECT user_id, language FROM rse_search_people WHERE user_id = ANY($1)", connection, transaction);
        command.Parameters.Add(new() { Value = authors });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            languages[reader.GetString(0)] = reader.GetString(1);
        }

        return languages;
    }

    private static void Describe(ContentChanges changes, Queued activity, Dictionary<string, string> languages)
    {
        var groupId = activity.SourceKey.Length > 0 && SourceId.Parse(activity.SourceKey) is { Kind: SourceKind.Group } source ? source.Id : null;
        switch (activity.Kind)
        {
            case ActivityKind.Posted when activity.Body is { } body:
                changes.Put(Row(activity, 0, groupId, body, languages));
                break;
            case ActivityKind.Commented when activity.Body is { } body:
                changes.Put(Row(activity, activity.ActivityId, groupId, body, languages));
                break;
            case ActivityKind.Edited when activity.Body is { } body:
                var parsed = MentionsAndTagsParser.Parse(body);
                changes.Edit(activity.PostId, body, ContentRow.Tags(parsed.Hashtags), [.. parsed.Mentions]);
                break;
            case ActivityKind.Deleted:
                changes.RemovePost(activity.PostId);
                break;
            case ActivityKind.CommentDeleted:
                changes.RemoveComment(activity.PostId, activity.ActivityId);
                break;
            default:
                // Gone from the log (erased) or without text: nothing to index.
                break;
        }
    }

    private static ContentRow Row(Queued activity, long commentId, string? groupId, string body, Dictionary<string, string> languages)
    {
        var parsed = MentionsAndTagsParser.Parse(body);
        var language = SearchText.LanguageOf(languages.GetValueOrDefault(activity.ActorId), body);
        return new ContentRow(activity.PostId, commentId, activity.ActorId, groupId, body, language, activity.OccurredAt, ContentRow.Tags(parsed.Hashtags), [.. parsed.Mentions]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Search indexing from the activity log and the grains paused; what is queued waits in PostgreSQL")]
    private partial void LogFailing(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Search indexing from the activity log and the grains resumed")]
    private partial void LogCaughtUp();
}
