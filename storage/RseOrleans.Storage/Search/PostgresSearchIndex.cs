using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using RseOrleans.Search;
using RseOrleans.Storage.Resilience;

namespace RseOrleans.Storage.Search;

/// <summary>
/// The durable engine: PostgreSQL full-text search over the tables of Migrations/0006_search.sql.
/// Texts are indexed in their plain form and stemmed in their language (French or English), accents
/// folded by the text search configurations, so the same query means what it means in the embedded
/// engine. Posts and comments come from the activity log (<see cref="ActivitySearchIndexer"/>);
/// people and groups from the grains that own them (<see cref="OwnerSearchIndexer"/>). Every call goes through the PostgreSQL
/// <see cref="StoreBreaker"/>: while the database is away, it fails at once with
/// <see cref="SearchUnavailableException"/>.
/// </summary>
public sealed class PostgresSearchIndex(
    NpgsqlDataSource database,
    [FromKeyedServices(StoreBreaker.Postgres)] StoreBreaker breaker,
    TimeProvider clock) : ISearchIndex, IFedFromStoredQueues
{
    private const string Unavailable = "The search index is not available (PostgreSQL cannot be reached); searches answer again once it is back.";

    /// <summary>How ts_headline marks the matching words: as the embedded engine does, between « and ».</summary>
    private const string HeadlineOptions = "StartSel=«, StopSel=», MaxWords=35, MinWords=15, ShortWord=2";

    public Task IndexPostAsync(IndexedPost post, CancellationToken cancellationToken = default) =>
        WriteAsync(changes => changes.Put(ContentRow.Of(post, SearchText.LanguageOf(post.Language, post.Text))), cancellationToken);

    public Task IndexCommentAsync(IndexedComment comment, CancellationToken cancellationToken = default) =>
        WriteAsync(changes => changes.Put(ContentRow.Of(comment, SearchText.LanguageOf(comment.Language, comment.Text))), cancellationToken);

    public Task RemovePostAsync(long postId, CancellationToken cancellationToken = default) =>
        WriteAsync(changes => changes.RemovePost(postId), cancellationToken);

    public Task RemoveCommentAsync(long postId, long commentId, CancellationToken cancellationToken = default) =>
        WriteAsync(changes => changes.RemoveComment(postId, commentId), cancellationToken);

    public Task IndexPersonAsync(IndexedPerson person, CancellationToken cancellationToken = default) => RunAsync(async () =>
    {
        var profile = string.Join(' ', [person.DisplayName, person.UserId, person.Title, person.Department, person.Location, person.Language, .. person.Skills]);
        await using var command = database.CreateCommand(
            """
            INSERT INTO rse_search_people (user_id, display_name, title, department, location, language, skills, names, document)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, rse_search_document($9, '', true))
            ON CONFLICT (user_id) DO UPDATE SET
                display_name = EXCLUDED.display_name, title = EXCLUDED.title, department = EXCLUDED.department,
                location = EXCLUDED.location, language = EXCLUDED.language, skills = EXCLUDED.skills,
                names = EXCLUDED.names, document = EXCLUDED.document
            """);
        Add(command, person.UserId, person.DisplayName, SearchText.Fold(person.Title), SearchText.Fold(person.Department), SearchText.Fold(person.Location),
            SearchText.Fold(person.Language), person.Skills.Select(SearchText.Fold).Where(skill => skill.Length > 0).Distinct().ToArray(),
            Names(person.DisplayName, person.UserId), profile);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }, cancellationToken);

    public Task RemovePersonAndContentAsync(string userId, CancellationToken cancellationToken = default) => RunAsync(async () =>
    {
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Command("DELETE FROM rse_search_people WHERE user_id = $1", userId));
        batch.BatchCommands.Add(Command("DELETE FROM rse_search_content WHERE author_id = $1", userId));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }, cancellationToken);

    public Task IndexGroupAsync(IndexedGroup group, CancellationToken cancellationToken = default) => RunAsync(async () =>
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO rse_search_groups (group_id, name, visibility, names, document)
            VALUES ($1, $2, $3, $4, rse_search_document($5, '', true))
            ON CONFLICT (group_id) DO UPDATE SET
                name = EXCLUDED.name, visibility = EXCLUDED.visibility, names = EXCLUDED.names, document = EXCLUDED.document
            """);
        Add(command, group.GroupId, group.Name, group.Visibility, Names(group.Name, group.GroupId), $"{group.Name} {group.Description}");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }, cancellationToken);

    /// <summary>
    /// Texts with words are ranked in two tiers: those of this calendar month and the last (UTC)
    /// first, then, only when they are fewer than <paramref name="limit"/>, the older ones. So a
    /// common word ranks the few thousand recent texts that have it, not every text of the years
    /// before: each tier is one index scan of the words and the months (0007_search_narrowing.sql).
    /// </summary>
    public Task<IReadOnlyList<ContentHit>> SearchContentAsync(ContentQuery query, int limit, CancellationToken cancellationToken = default) => RunAsync<IReadOnlyList<ContentHit>>(async () =>
    {
        string[] parts = [.. query.Words, .. query.Phrases];
        if (parts.Length == 0)
        {
            return await SearchContentTierAsync(query, parts, limit, Tier.All, cancellationToken);
        }

        var recent = await SearchContentTierAsync(query, parts, limit, Tier.Recent, cancellationToken);
        return recent.Count >= limit
            ? recent
            : [.. recent, .. await SearchContentTierAsync(query, parts, limit - recent.Count, Tier.Older, cancellationToken)];
    }, cancellationToken);

    private enum Tier
    {
        All,
        Recent,
        Older,
    }

    private async Task<List<ContentHit>> SearchContentTierAsync(ContentQuery query, string[] parts, int limit, Tier tier, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var months = string.Join(" | ", new[] { now, now.AddMonths(-1) }.Select(at => $"'~m{at.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture)}':D"));
        var inTier = tier switch
        {
            Tier.Recent => "AND c.document @@ $15::tsquery",
            Tier.Older => "AND NOT c.document @@ $15::tsquery",
            _ => "AND $15::tsquery IS NOT NULL",
        };

        // The reader's scopes, the words and the months are all conditions on the one text index,
        // which intersects them itself, so PostgreSQL reads only the rows that match the words AND
        // that the reader might see (0007_search_narrowing.sql, 0015_search_scope_lexemes.sql).
        // Relevance times freshness, as the embedded engine: a week-old text weighs half of a new
        // one, a month-old one about a fifth, old texts never nothing. Ties and operator-only
        // searches newest first. Highlights only for the window kept, and only when asked (HighlightAsync).
        await using var command = database.CreateCommand(
            $"""
            WITH q AS (
                SELECT rse_search_query($1) AS query,
                       (SELECT string_agg('(' || rse_search_part(e)::text || ')', ' | ')::tsquery
                          FROM unnest($2::text[]) AS e WHERE rse_search_part(e) IS NOT NULL) AS excluded,
                       rse_search_scope_query($14) AS scopes),
            hits AS (
                SELECT c.post_id, c.comment_id, c.author_id, c.group_id, c.body, c.language, c.created_at,
                       CASE WHEN $3 THEN ts_rank(c.document, q.query)
                            * (0.2 + 0.8 / (1 + greatest(0, extract(epoch FROM ($4 - c.created_at)) / 86400) / 7))
                            ELSE 0 END AS rank
                  FROM rse_search_content c, q
                 WHERE (NOT $3 OR c.document @@ q.query)
                   AND (q.excluded IS NULL OR NOT c.document @@ q.excluded)
                   AND ($5::text IS NULL OR c.author_id = $5)
                   AND ($6::text IS NULL OR c.group_id = $6)
                   AND (cardinality($7::text[]) = 0 OR c.hashtags @> $7)
                   AND ($8::text IS NULL OR c.mentions @> ARRAY[$8::text])
                   AND ($9::timestamptz IS NULL OR c.created_at < $9)
                   AND ($10::timestamptz IS NULL OR c.created_at >= $10)
                   AND (NOT $11 OR c.has_link)
                   AND ($12::bigint[] IS NULL OR c.post_id = ANY($12))
                   AND ($14::text[] IS NULL OR c.document @@ q.scopes)
                   {inTier}
                 ORDER BY rank DESC, c.created_at DESC, c.post_id DESC, c.comment_id DESC
                 LIMIT $13)
            SELECT h.post_id, h.comment_id, h.author_id, h.group_id, h.body,
                   CASE WHEN $3 AND $16 THEN {Headline("h.language", "h.body", "q.query")} ELSE '' END
              FROM hits h, q
             ORDER BY h.rank DESC, h.created_at DESC, h.post_id DESC, h.comment_id DESC
            """);
        Add(command, parts, query.Excluded.ToArray(), parts.Length > 0, clock.GetUtcNow(), Nullable(query.AuthorId), Nullable(query.GroupId),
            query.Hashtags.Select(SearchText.Fold).ToArray(), Nullable(query.Mentions),
            NullableTime(query.Before), NullableTime(query.After), query.HasLink,
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = (object?)query.AmongPosts?.ToArray() ?? DBNull.Value },
            Math.Max(limit, 0),
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = (object?)ScopesOf(query.Scope) ?? DBNull.Value },
            months,
            query.Highlighted);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var hits = new List<ContentHit>();
        while (await reader.ReadAsync(cancellationToken))
        {
            hits.Add(new ContentHit(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                Marked(reader.GetString(5))));
        }

        return hits;
    }

    /// <summary>
    /// ts_headline parses and stems each text again, so a search highlights only the hits a page
    /// shows, not its whole ranked window (twice the page or more). The language comes from the
    /// index's row; the text is the hit's own, the one the API checked against the live post.
    /// </summary>
    public Task<IReadOnlyList<ContentHit>> HighlightAsync(ContentQuery query, IReadOnlyList<ContentHit> hits, CancellationToken cancellationToken = default) => RunAsync<IReadOnlyList<ContentHit>>(async () =>
    {
        string[] parts = [.. query.Words, .. query.Phrases];
        if (parts.Length == 0 || hits.Count == 0)
        {
            return hits;
        }

        await using var command = database.CreateCommand(
            $"""
            SELECT {Headline("c.language", "k.body", "q.query")}
              FROM unnest($2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY AS k(post_id, comment_id, body, n)
             CROSS JOIN (SELECT rse_search_query($1) AS query) q
              LEFT JOIN rse_search_content c ON c.post_id = k.post_id AND c.comment_id = k.comment_id
             ORDER BY k.n
            """);
        Add(command, parts, hits.Select(hit => hit.PostId).ToArray(), hits.Select(hit => hit.CommentId).ToArray(), hits.Select(hit => hit.IndexedText).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var highlighted = new List<ContentHit>(hits.Count);
        while (await reader.ReadAsync(cancellationToken))
        {
            highlighted.Add(hits[highlighted.Count] with { Highlight = Marked(reader.GetString(0)) });
        }

        return highlighted;
    }, cancellationToken);

    /// <summary>The matching words of <paramref name="body"/> marked, stemmed in the text's language; the query without its weights.</summary>
    private static string Headline(string language, string body, string query) =>
        $"""
        ts_headline(CASE {language} WHEN 'fr' THEN 'rse_french' ELSE 'rse_english' END::regconfig, {body},
                    regexp_replace({query}::text, '('')(:[A-D]+)', '\1', 'g')::tsquery, '{HeadlineOptions}')
        """;

    /// <summary>ts_headline gives the start of the text when nothing is marked: no highlight then.</summary>
    private static string Marked(string headline) => headline.Contains('«', StringComparison.Ordinal) ? headline : "";

    public Task<IReadOnlyList<string>> SearchPeopleAsync(PeopleQuery query, int limit, CancellationToken cancellationToken = default) => RunAsync(async () =>
    {
        var words = Split(query.Text);
        await using var command = database.CreateCommand(
            """
            SELECT p.user_id FROM rse_search_people p, (SELECT rse_search_query($1) AS query) q
             WHERE (NOT $2 OR p.document @@ q.query)
               AND ($3::text IS NULL OR p.title = $3)
               AND ($4::text IS NULL OR p.department = $4)
               AND ($5::text IS NULL OR p.location = $5)
               AND ($6::text IS NULL OR p.language = $6)
               AND ($7::text IS NULL OR p.skills @> ARRAY[$7::text])
             ORDER BY CASE WHEN $2 THEN ts_rank(p.document, q.query) ELSE 0 END DESC, p.user_id
             LIMIT $8
            """);
        Add(command, words, words.Length > 0, Exact(query.Title), Exact(query.Department), Exact(query.Location), Exact(query.Language), Exact(query.Skill), Math.Max(limit, 0));
        return await ReadStringsAsync(command, cancellationToken);
    }, cancellationToken);

    public Task<IReadOnlyList<string>> SearchGroupsAsync(GroupQuery query, int limit, CancellationToken cancellationToken = default) => RunAsync(async () =>
    {
        var words = Split(query.Text);
        await using var command = database.CreateCommand(
            """
            SELECT g.group_id FROM rse_search_groups g, (SELECT rse_search_query($1) AS query) q
             WHERE (NOT $2 OR g.document @@ q.query)
               AND ($3::text IS NULL OR g.visibility = $3)
               AND ($4::text[] IS NULL OR g.group_id = ANY($4))
             ORDER BY CASE WHEN $2 THEN ts_rank(g.document, q.query) ELSE 0 END DESC, g.group_id
             LIMIT $5
            """);
        Add(command, words, words.Length > 0, Nullable(query.Visibility),
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = (object?)query.AmongGroups?.ToArray() ?? DBNull.Value },
            Math.Max(limit, 0));
        return await ReadStringsAsync(command, cancellationToken);
    }, cancellationToken);

    public Task<IReadOnlyList<IndexSuggestion>> SuggestAsync(string prefix, int limit, CancellationToken cancellationToken = default) => RunAsync<IReadOnlyList<IndexSuggestion>>(async () =>
    {
        var suggestions = new List<IndexSuggestion>();
        var words = SearchText.Words(prefix);
        await using var batch = database.CreateBatch();
        if (words.Count > 0)
        {
            // Every word typed but the last whole, the last as the start of a word, read from the
            // words of the names in byte order: a prefix is a range of the key, the nearest words
            // first (the word typed itself, then its longer forms), then the ids.
            string[] whole = [.. words.Take(words.Count - 1).Distinct(StringComparer.Ordinal)];
            var last = words[^1];
            foreach (var (kind, table, key, label) in new[] { (1, "rse_search_people", "user_id", "display_name"), (2, "rse_search_groups", "group_id", "name") })
            {
                batch.BatchCommands.Add(Command(
                    $"""
                    SELECT {kind}, o.{key}, o.{label}
                      FROM (SELECT w.id, min(w.word) AS word
                              FROM (SELECT w.id, w.word FROM rse_search_name_words w
                                     WHERE w.kind = {kind} AND w.word >= $2 AND w.word < $3
                                       AND (SELECT count(*) FROM rse_search_name_words v
                                             WHERE v.kind = {kind} AND v.id = w.id AND v.word = ANY($1)) = cardinality($1)
                                     ORDER BY w.word, w.id LIMIT $4 * 4) AS w
                             GROUP BY w.id ORDER BY min(w.word), w.id LIMIT $4) AS m
                      JOIN {table} o ON o.{key} = m.id
                     ORDER BY m.word, m.id
                    """,
                    whole, last, NextPrefix(last), limit));
            }
        }

        var topic = SearchText.Fold(prefix).TrimStart('#');
        if (topic.Length > 0)
        {
            // The topics of that prefix most recently used, each with a few recent posts.
            batch.BatchCommands.Add(Command(
                """
                SELECT 3, t.tag, t.tag, coalesce(r.posts, '{}'), coalesce(r.authors, '{}'), coalesce(r.groups, '{}')
                  FROM (SELECT tag, newest FROM rse_search_topic_summary
                         WHERE tag >= $1 AND tag < $2 ORDER BY newest DESC, tag LIMIT $3) AS t
                 CROSS JOIN LATERAL (
                       SELECT array_agg(p.post_id ORDER BY p.newest DESC, p.post_id DESC) AS posts,
                              array_agg(c.author_id ORDER BY p.newest DESC, p.post_id DESC) AS authors,
                              array_agg(c.group_id ORDER BY p.newest DESC, p.post_id DESC) AS groups
                         FROM (SELECT s.post_id, max(s.created_at) AS newest
                                 FROM (SELECT s.post_id, s.created_at FROM rse_search_topics s
                                        WHERE s.tag = t.tag ORDER BY s.created_at DESC LIMIT 50) AS s
                                GROUP BY s.post_id ORDER BY newest DESC, s.post_id DESC LIMIT 5) AS p
                         JOIN rse_search_content c ON c.post_id = p.post_id AND c.comment_id = 0) AS r
                 ORDER BY t.newest DESC, t.tag
                """,
                topic, NextPrefix(topic), limit));
        }

        if (batch.BatchCommands.Count == 0)
        {
            return suggestions;
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        do
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var kind = (SuggestionKind)reader.GetInt32(0);
                suggestions.Add(new IndexSuggestion(kind, reader.GetString(1), reader.GetString(2), kind == SuggestionKind.Topic ? RecentPostsOf(reader) : []));
            }
        }
        while (await reader.NextResultAsync(cancellationToken));

        return suggestions;
    }, cancellationToken);

    /// <summary>A topic row's recent posts: three arrays of the same length, newest first.</summary>
    private static RecentPost[] RecentPostsOf(NpgsqlDataReader reader)
    {
        var posts = reader.GetFieldValue<long[]>(3);
        var authors = reader.GetFieldValue<string[]>(4);
        var groups = reader.GetFieldValue<string?[]>(5);
        return [.. posts.Select((postId, i) => new RecentPost(postId, authors[i], groups[i]))];
    }

    /// <summary>Applies a set of content changes in one transaction (the indexer's batches use it too).</summary>
    internal Task WriteAsync(Action<ContentChanges> describe, CancellationToken cancellationToken)
    {
        var changes = new ContentChanges();
        describe(changes);
        return RunAsync(async () =>
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await changes.ApplyAsync(connection, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Through the breaker; whatever says the database is away becomes <see cref="SearchUnavailableException"/>.</summary>
    internal async Task<T> RunAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await breaker.RunAsync(operation, abandonWhenOpened: false);
        }
        catch (StorageUnavailableException e)
        {
            throw new SearchUnavailableException(Unavailable, e);
        }
        catch (ObjectDisposedException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SearchUnavailableException(Unavailable, e);
        }
    }

    internal Task RunAsync(Func<Task> operation, CancellationToken cancellationToken) => RunAsync(
        async () =>
        {
            await operation();
            return true;
        },
        cancellationToken);

    /// <summary>The folded words of a name and an id, space separated: what typeahead matches.</summary>
    private static string Names(string name, string id) => string.Join(' ', SearchText.Words($"{name} {id}").Distinct());

    private static string[] Split(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The first text after every text that starts with <paramref name="prefix"/>, in byte order
    /// (the "C" collation of the words' keys): the end of the prefix's range.
    /// </summary>
    private static string NextPrefix(string prefix)
    {
        // UTF-8 keeps the order of code points, so the next code point at the end closes the range.
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0 && runes[^1].Value == 0x10FFFF)
        {
            runes.RemoveAt(runes.Count - 1);
        }

        if (runes.Count == 0)
        {
            throw new ArgumentException("A prefix of only the last code point has no end.", nameof(prefix));
        }

        var next = runes[^1].Value + 1;
        runes[^1] = new System.Text.Rune(next is >= 0xD800 and <= 0xDFFF ? 0xE000 : next);
        return string.Concat(runes.Select(rune => rune.ToString()));
    }

    /// <summary>
    /// The scope lexemes of the texts a reader may find (0015_search_scope_lexemes.sql): profile
    /// posts, their groups' texts, and open groups' unless a guest (a guest finds an open group's
    /// texts only in the groups they are in).
    /// </summary>
    private static string[]? ScopesOf(ContentScope? scope) =>
        scope is null ? null : ["~p", .. scope.OpenGroups ? ["~o"] : Array.Empty<string>(), .. scope.MemberGroups.Select(group => "~g" + group)];

    private static object Nullable(string? value) => string.IsNullOrEmpty(value) ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = DBNull.Value } : value;

    private static object Exact(string? value) => string.IsNullOrWhiteSpace(value) ? Nullable(null) : SearchText.Fold(value);

    private static NpgsqlParameter NullableTime(DateTimeOffset? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value is { } at ? at.UtcDateTime : DBNull.Value };

    private static async Task<IReadOnlyList<string>> ReadStringsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static void Add(NpgsqlCommand command, params object[] values)
    {
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }
    }

    internal static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
