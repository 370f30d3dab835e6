using Npgsql;
using NpgsqlTypes;
using RseOrleans.Search;

namespace RseOrleans.Storage.Search;

/// <summary>A post (<see cref="CommentId"/> 0) or a comment as the search tables keep it.</summary>
internal sealed record ContentRow(
    long PostId,
    long CommentId,
    string AuthorId,
    string? GroupId,
    string Body,
    string Language,
    DateTimeOffset CreatedAt,
    string[] Hashtags,
    string[] Mentions)
{
    public static ContentRow Of(IndexedPost post, string language) =>
        new(post.PostId, 0, post.AuthorId, post.GroupId, post.Text, language, post.CreatedAt, Tags(post.Hashtags), [.. post.Mentions.Distinct(StringComparer.Ordinal)]);

    public static ContentRow Of(IndexedComment comment, string language) =>
        new(comment.PostId, comment.CommentId, comment.AuthorId, comment.GroupId, comment.Text, language, comment.CreatedAt, Tags(comment.Hashtags), [.. comment.Mentions.Distinct(StringComparer.Ordinal)]);

    public static string[] Tags(IEnumerable<string> hashtags) =>
        [.. hashtags.Select(SearchText.Fold).Where(tag => tag.Length > 0).Distinct(StringComparer.Ordinal)];

    public bool HasLink =>
        Body.Contains("http://", StringComparison.OrdinalIgnoreCase) || Body.Contains("https://", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Changes to posts and comments, folded in the order they were described (a post, its edit and
/// its delete in one batch leave nothing), then written in one transaction: deletes, new rows,
/// edits of rows already there, and the topics of every row touched. Writing the same changes
/// again leaves the tables as they were.
/// </summary>
internal sealed class ContentChanges
{
    private readonly Dictionary<(long PostId, long CommentId), ContentRow> puts = [];
    private readonly Dictionary<long, (string Body, string[] Hashtags, string[] Mentions)> edits = [];
    private readonly HashSet<long> removedPosts = [];
    private readonly HashSet<(long PostId, long CommentId)> removedComments = [];

    public int Count => puts.Count + edits.Count + removedPosts.Count + removedComments.Count;

    public void Put(ContentRow row)
    {
        puts[(row.PostId, row.CommentId)] = row;
        if (row.CommentId == 0)
        {
            edits.Remove(row.PostId);
        }
    }

    /// <summary>A post's new text; its author, place, date and language stay.</summary>
    public void Edit(long postId, string body, string[] hashtags, string[] mentions)
    {
        if (puts.TryGetValue((postId, 0), out var row))
        {
            puts[(postId, 0)] = row with { Body = body, Hashtags = hashtags, Mentions = mentions };
        }
        else
        {
            edits[postId] = (body, hashtags, mentions);
        }
    }

    public void RemovePost(long postId)
    {
        foreach (var key in puts.Keys.Where(key => key.PostId == postId).ToArray())
        {
            puts.Remove(key);
        }

        edits.Remove(postId);
        removedPosts.Add(postId);
    }

    public void RemoveComment(long postId, long commentId)
    {
        puts.Remove((postId, commentId));
        removedComments.Add((postId, commentId));
    }

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (Count == 0)
        {
            return;
        }

        // Topics go with their rows (ON DELETE CASCADE).
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (removedPosts.Count > 0)
        {
            batch.BatchCommands.Add(PostgresSearchIndex.Command("DELETE FROM rse_search_content WHERE post_id = ANY($1)", removedPosts.ToArray()));
        }

        if (removedComments.Count > 0)
        {
            batch.BatchCommands.Add(PostgresSearchIndex.Command(
                "DELETE FROM rse_search_content c USING unnest($1::bigint[], $2::bigint[]) AS r(post_id, comment_id) WHERE c.post_id = r.post_id AND c.comment_id = r.comment_id",
                removedComments.Select(key => key.PostId).ToArray(),
                removedComments.Select(key => key.CommentId).ToArray()));
        }

        var rows = puts.Values.ToArray();
        if (rows.Length > 0)
        {
            // One statement however many rows: each column as an array. Hashtags and mentions go
            // as one text per row (joined by a newline, which neither holds) since PostgreSQL has
            // no arrays of arrays of different lengths.
            batch.BatchCommands.Add(PostgresSearchIndex.Command(
                """
                INSERT INTO rse_search_content (post_id, comment_id, author_id, group_id, body, language, created_at, hashtags, mentions, has_link, document)
                SELECT r.post_id, r.comment_id, r.author_id, r.group_id, r.body, r.language, r.created_at,
                       coalesce(string_to_array(nullif(r.hashtags, ''), E'\n'), '{}'), coalesce(string_to_array(nullif(r.mentions, ''), E'\n'), '{}'),
                       r.has_link, rse_search_document(r.body, r.language, false)
                  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::boolean[])
                       AS r(post_id, comment_id, author_id, group_id, body, language, created_at, hashtags, mentions, has_link)
                ON CONFLICT (post_id, comment_id) DO UPDATE SET
                    author_id = EXCLUDED.author_id, group_id = EXCLUDED.group_id, body = EXCLUDED.body,
                    language = EXCLUDED.language, created_at = EXCLUDED.created_at, hashtags = EXCLUDED.hashtags,
                    mentions = EXCLUDED.mentions, has_link = EXCLUDED.has_link, document = EXCLUDED.document
                """,
                rows.Select(row => row.PostId).ToArray(),
                rows.Select(row => row.CommentId).ToArray(),
                rows.Select(row => row.AuthorId).ToArray(),
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = rows.Select(row => row.GroupId).ToArray() },
                rows.Select(row => row.Body).ToArray(),
                rows.Select(row => row.Language).ToArray(),
                rows.Select(row => row.CreatedAt.UtcDateTime).ToArray(),
                rows.Select(row => string.Join('\n', row.Hashtags)).ToArray(),
                rows.Select(row => string.Join('\n', row.Mentions)).ToArray(),
                rows.Select(row => row.HasLink).ToArray()));
        }

        if (edits.Count > 0)
        {
            var edited = edits.ToArray();
            batch.BatchCommands.Add(PostgresSearchIndex.Command(
                """
                UPDATE rse_search_content c SET
                       body = e.body,
                       hashtags = coalesce(string_to_array(nullif(e.hashtags, ''), E'\n'), '{}'),
                       mentions = coalesce(string_to_array(nullif(e.mentions, ''), E'\n'), '{}'),
                       has_link = e.body ~* 'https?://',
                       document = rse_search_document(e.body, c.language, false)
                  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS e(post_id, body, hashtags, mentions)
                 WHERE c.post_id = e.post_id AND c.comment_id = 0
                """,
                edited.Select(edit => edit.Key).ToArray(),
                edited.Select(edit => edit.Value.Body).ToArray(),
                edited.Select(edit => string.Join('\n', edit.Value.Hashtags)).ToArray(),
                edited.Select(edit => string.Join('\n', edit.Value.Mentions)).ToArray()));
        }

        var touched = puts.Keys.Concat(edits.Keys.Select(postId => (PostId: postId, CommentId: 0L))).ToArray();
        if (touched.Length > 0)
        {
            batch.BatchCommands.Add(PostgresSearchIndex.Command(
                """
                DELETE FROM rse_search_topics t USING unnest($1::bigint[], $2::bigint[]) AS r(post_id, comment_id)
                 WHERE t.post_id = r.post_id AND t.comment_id = r.comment_id
                """,
                touched.Select(key => key.PostId).ToArray(),
                touched.Select(key => key.CommentId).ToArray()));
            batch.BatchCommands.Add(PostgresSearchIndex.Command(
                """
                INSERT INTO rse_search_topics (tag, post_id, comment_id, created_at)
                SELECT DISTINCT unnest(c.hashtags), c.post_id, c.comment_id, c.created_at
                  FROM rse_search_content c JOIN unnest($1::bigint[], $2::bigint[]) AS r(post_id, comment_id)
                       ON c.post_id = r.post_id AND c.comment_id = r.comment_id
                """,
                touched.Select(key => key.PostId).ToArray(),
                touched.Select(key => key.CommentId).ToArray()));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
