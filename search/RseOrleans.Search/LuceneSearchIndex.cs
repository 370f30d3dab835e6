using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Documents;
using Lucene.Net.Documents.Extensions;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;
using Lucene.Net.Store;

namespace RseOrleans.Search;

/// <summary>
/// The embedded engine: a Lucene.NET index in this process's memory, so that a fresh machine
/// searches with nothing installed. It keeps nothing across a restart: it is filled again as the
/// engine is written to (and a rebuild from the grains would fill it whole). Writes are visible to
/// the next search: a search reopens the reader when something was written since the last one.
/// </summary>
public sealed class LuceneSearchIndex : ISearchIndex, IDisposable
{
    // Field names. Texts go to the plain field and to their language's field.
    private const string Key = "key";
    private const string Kind = "kind";
    private const string Post = "post";
    private const string Comment = "comment";
    private const string Author = "author";
    private const string Group = "group";
    private const string Id = "id";
    private const string Raw = "raw";
    private const string Lang = "lang";
    private const string Label = "label";
    private const string Tag = "tag";
    private const string Mention = "mention";
    private const string HasLink = "has_link";
    private const string Created = "created";
    private const string TextPlain = "text_plain";
    private const string TextFrench = "text_fr";
    private const string TextEnglish = "text_en";
    private const string Names = "names";
    private const string Visibility = "visibility";

    /// <summary>A content's group, or <see cref="NoGroup"/> for a profile's: what a scope filters on.</summary>
    private const string GroupOrNone = "group_or_none";
    private const string NoGroup = "-";
    private const string PersonField = "p_";

    private const string PostKind = "post";
    private const string CommentKind = "comment";
    private const string PersonKind = "person";
    private const string GroupKind = "group";

    /// <summary>How many candidates a ranked search reads before ordering them by relevance and recency.</summary>
    private const int RankingWindow = 2000;

    private static readonly string[] TextFields = [TextPlain, TextFrench, TextEnglish];

    private readonly Analyzer analyzer = new PerFieldAnalyzerWrapper(TextAnalysis.Plain, new Dictionary<string, Analyzer>
    {
        [TextFrench] = TextAnalysis.FrenchText,
        [TextEnglish] = TextAnalysis.EnglishText,
    });

    private readonly RAMDirectory directory = new();
    private readonly IndexWriter writer;
    private readonly SearcherManager searchers;
    private readonly TimeProvider clock;
    private long writes;
    private long writesSeen;
    private volatile bool disposed;

    public LuceneSearchIndex(TimeProvider? clock = null)
    {
        this.clock = clock ?? TimeProvider.System;
        writer = new IndexWriter(directory, new IndexWriterConfig(TextAnalysis.Version, analyzer));
        searchers = new SearcherManager(writer, applyAllDeletes: true, searcherFactory: null);
    }

    public Task IndexPostAsync(IndexedPost post, CancellationToken cancellationToken = default) =>
        Write(() =>
        {
            var key = $"post:{post.PostId}";
            var document = ContentDocument(key, PostKind, post.PostId, post.AuthorId, post.GroupId, post.Text, post.CreatedAt, post.Language, post.Hashtags, post.Mentions);
            writer.UpdateDocument(new Term(Key, key), document);
        });

    public Task IndexCommentAsync(IndexedComment comment, CancellationToken cancellationToken = default) =>
        Write(() =>
        {
            var key = $"comment:{comment.PostId}:{comment.CommentId}";
            var document = ContentDocument(key, CommentKind, comment.PostId, comment.AuthorId, comment.GroupId, comment.Text, comment.CreatedAt, comment.Language, comment.Hashtags, comment.Mentions);
            document.Add(new StoredField(Comment, comment.CommentId));
            writer.UpdateDocument(new Term(Key, key), document);
        });

    public Task RemovePostAsync(long postId, CancellationToken cancellationToken = default) =>
        Write(() => writer.DeleteDocuments(new Term(Post, postId.ToString(CultureInfo.InvariantCulture))));

    public Task RemoveCommentAsync(long postId, long commentId, CancellationToken cancellationToken = default) =>
        Write(() => writer.DeleteDocuments(new Term(Key, $"comment:{postId}:{commentId}")));

    public Task IndexPersonAsync(IndexedPerson person, CancellationToken cancellationToken = default) =>
        Write(() =>
        {
            var key = $"person:{person.UserId}";
            var document = new Document
            {
                new StringField(Key, key, Field.Store.NO),
                new StringField(Kind, PersonKind, Field.Store.NO),
                new StringField(Id, person.UserId, Field.Store.YES),
                new StoredField(Label, person.DisplayName),
                new TextField(Names, $"{person.DisplayName} {person.UserId}", Field.Store.NO),
            };
            var profile = string.Join(' ', [person.DisplayName, person.UserId, person.Title, person.Department, person.Location, person.Language, .. person.Skills]);
            AddText(document, profile, language: null, everyLanguage: true);
            AddExact(document, "title", person.Title);
            AddExact(document, "department", person.Department);
            AddExact(document, "location", person.Location);
            AddExact(document, "language", person.Language);
            foreach (var skill in person.Skills)
            {
                AddExact(document, "skill", skill);
            }

            writer.UpdateDocument(new Term(Key, key), document);
        });

    public Task RemovePersonAndContentAsync(string userId, CancellationToken cancellationToken = default) =>
        Write(() =>
        {
            writer.DeleteDocuments(new Term(Key, $"person:{userId}"));
            writer.DeleteDocuments(new Term(Author, userId));
        });

    public Task IndexGroupAsync(IndexedGroup group, CancellationToken cancellationToken = default) =>
        Write(() =>
        {
            var key = $"group:{group.GroupId}";
            var document = new Document
            {
                new StringField(Key, key, Field.Store.NO),
                new StringField(Kind, GroupKind, Field.Store.NO),
                new StringField(Id, group.GroupId, Field.Store.YES),
                new StoredField(Label, group.Name),
                new TextField(Names, $"{group.Name} {group.GroupId}", Field.Store.NO),
                new StringField(Visibility, group.Visibility, Field.Store.NO),
            };
            AddText(document, $"{group.Name} {group.Description}", language: null, everyLanguage: true);
            writer.UpdateDocument(new Term(Key, key), document);
        });

    /// <summary>This engine highlights as it searches: in process, there is no round trip to save.</summary>
    public Task<IReadOnlyList<ContentHit>> HighlightAsync(ContentQuery query, IReadOnlyList<ContentHit> hits, CancellationToken cancellationToken = default) =>
        Task.FromResult(hits);

    public Task<IReadOnlyList<ContentHit>> SearchContentAsync(ContentQuery query, int limit, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<ContentHit>>(searcher =>
        {
            var textQuery = TextQuery(query.Words, query.Phrases);
            var filters = new BooleanQuery
            {
                { OneOf(Kind, PostKind, CommentKind), Occur.MUST },
            };
            foreach (var excluded in query.Excluded)
            {
                filters.Add(MatchQuery(excluded), Occur.MUST_NOT);
            }

            AddTermFilter(filters, Author, query.AuthorId);
            AddTermFilter(filters, Group, query.GroupId);
            AddTermFilter(filters, Mention, query.Mentions);
            foreach (var hashtag in query.Hashtags)
            {
                AddTermFilter(filters, Tag, hashtag);
            }

            if (query.HasLink)
            {
                AddTermFilter(filters, HasLink, "1");
            }

            if (query.Before is not null || query.After is not null)
            {
                filters.Add(NumericRangeQuery.NewInt64Range(Created, query.After?.UtcTicks, query.Before?.UtcTicks, minInclusive: true, maxInclusive: false), Occur.MUST);
            }

            if (query.AmongPosts is { } among)
            {
                filters.Add(OneOf(Post, [.. among.Select(id => id.ToString(CultureInfo.InvariantCulture))]), Occur.MUST);
            }

            if (query.Scope is { } scope)
            {
                var within = new BooleanQuery();
                foreach (var chunk in GroupsWithin(searcher, scope).Prepend(NoGroup).Chunk(MaxClausesPerFilter))
                {
                    within.Add(OneOf(GroupOrNone, chunk), Occur.SHOULD);
                }

                filters.Add(within, Occur.MUST);
            }

            var candidates = RankedCandidates(searcher, textQuery, filters, limit);
            var now = clock.GetUtcNow().UtcTicks;
            var recentSince = RecentSince(clock.GetUtcNow());
            return candidates
                .Select(hit => (Hit: hit, Document: searcher.Doc(hit.Doc)))
                .Select(x => (x.Document, Created: CreatedTicks(x.Document), Score: x.Hit.Score))
                .Select(x => (x.Document, x.Created, Rank: textQuery is null ? 0 : x.Score * Freshness(now, x.Created)))
                // As the durable engine: this month's and last month's texts first, then the older ones.
                .OrderByDescending(x => textQuery is not null && x.Created >= recentSince)
                // Equal ranks (the same words, written at nearly the same time) newest first, whatever the clock says.
                .ThenByDescending(x => x.Rank)
                .ThenByDescending(x => x.Created)
                .Take(limit)
                .Select(x => ToContentHit(x.Document, textQuery))
                .ToArray();
        });

    public Task<IReadOnlyList<string>> SearchPeopleAsync(PeopleQuery query, int limit, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<string>>(searcher =>
        {
            var filters = new BooleanQuery { { new TermQuery(new Term(Kind, PersonKind)), Occur.MUST } };
            AddExactFilter(filters, "title", query.Title);
            AddExactFilter(filters, "department", query.Department);
            AddExactFilter(filters, "location", query.Location);
            AddExactFilter(filters, "language", query.Language);
            AddExactFilter(filters, "skill", query.Skill);
            var textQuery = TextQuery(Words(query.Text), []);
            return Ids(searcher, RankedCandidates(searcher, textQuery, filters, limit).Take(limit));
        });

    public Task<IReadOnlyList<string>> SearchGroupsAsync(GroupQuery query, int limit, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<string>>(searcher =>
        {
            var filters = new BooleanQuery { { new TermQuery(new Term(Kind, GroupKind)), Occur.MUST } };
            AddTermFilter(filters, Visibility, query.Visibility);
            if (query.AmongGroups is { } among)
            {
                filters.Add(OneOf(Id, [.. among]), Occur.MUST);
            }

            var textQuery = TextQuery(Words(query.Text), []);
            return Ids(searcher, RankedCandidates(searcher, textQuery, filters, limit).Take(limit));
        });

    public Task<IReadOnlyList<IndexSuggestion>> SuggestAsync(string prefix, int limit, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<IndexSuggestion>>(searcher =>
        {
            var suggestions = new List<IndexSuggestion>();
            var names = PrefixQuery(Names, prefix);
            if (names is not null)
            {
                foreach (var kind in new[] { (PersonKind, SuggestionKind.Person), (GroupKind, SuggestionKind.Group) })
                {
                    var query = new BooleanQuery { { new TermQuery(new Term(Kind, kind.Item1)), Occur.MUST }, { names, Occur.MUST } };
                    foreach (var hit in searcher.Search(query, limit).ScoreDocs)
                    {
                        var document = searcher.Doc(hit.Doc);
                        suggestions.Add(new IndexSuggestion(kind.Item2, document.Get(Id, CultureInfo.InvariantCulture), document.Get(Label, CultureInfo.InvariantCulture), []));
                    }
                }
            }

            var topic = TextAnalysis.Fold(prefix).TrimStart('#');
            if (topic.Length > 0)
            {
                // The most recent posts and comments with a tag of that prefix, grouped by tag.
                var tagged = searcher.Search(new PrefixQuery(new Term(Tag, topic)), null, RankingWindow, new Sort(new SortField(Created, SortFieldType.INT64, reverse: true)));
                var topics = new Dictionary<string, List<RecentPost>>(StringComparer.Ordinal);
                foreach (var hit in tagged.ScoreDocs)
                {
                    var document = searcher.Doc(hit.Doc);
                    var postId = long.Parse(document.Get(Post, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                    foreach (var tag in document.GetValues(Tag, CultureInfo.InvariantCulture).Where(t => t.StartsWith(topic, StringComparison.Ordinal)))
                    {
                        if (!topics.TryGetValue(tag, out var posts))
                        {
                            if (topics.Count == limit)
                            {
                                continue;
                            }

                            topics[tag] = posts = [];
                        }

                        if (posts.Count < 5 && !posts.Exists(post => post.PostId == postId))
                        {
                            posts.Add(new RecentPost(postId, document.Get(Author, CultureInfo.InvariantCulture), document.Get(Group, CultureInfo.InvariantCulture)));
                        }
                    }
                }

                suggestions.AddRange(topics.Select(t => new IndexSuggestion(SuggestionKind.Topic, t.Key, t.Key, t.Value)));
            }

            return suggestions;
        });

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        searchers.Dispose();
        writer.Dispose();
        directory.Dispose();
        analyzer.Dispose();
    }

    private static Document ContentDocument(string key, string kind, long postId, string authorId, string? groupId, string text, DateTimeOffset createdAt, string? language, IReadOnlyList<string> hashtags, IReadOnlyList<string> mentions)
    {
        var document = new Document
        {
            new StringField(Key, key, Field.Store.NO),
            new StringField(Kind, kind, Field.Store.NO),
            new StringField(Post, postId.ToString(CultureInfo.InvariantCulture), Field.Store.YES),
            new StringField(Author, authorId, Field.Store.YES),
            new StoredField(Raw, text),
            new Int64Field(Created, createdAt.UtcTicks, Field.Store.YES),
            new StringField(GroupOrNone, groupId ?? NoGroup, Field.Store.NO),
        };
        if (groupId is not null)
        {
            document.Add(new StringField(Group, groupId, Field.Store.YES));
        }

        foreach (var hashtag in hashtags)
        {
            document.Add(new StringField(Tag, TextAnalysis.Fold(hashtag), Field.Store.YES));
        }

        foreach (var mention in mentions)
        {
            document.Add(new StringField(Mention, mention, Field.Store.NO));
        }

        if (text.Contains("http://", StringComparison.OrdinalIgnoreCase) || text.Contains("https://", StringComparison.OrdinalIgnoreCase))
        {
            document.Add(new StringField(HasLink, "1", Field.Store.NO));
        }

        AddText(document, text, language, everyLanguage: false);
        return document;
    }

    /// <summary>The text in its plain form, and stemmed in its language (or in both, for short mixed texts as profiles).</summary>
    private static void AddText(Document document, string text, string? language, bool everyLanguage)
    {
        document.Add(new TextField(TextPlain, text, Field.Store.NO));
        var lang = TextAnalysis.LanguageOf(language, text);
        document.Add(new StoredField(Lang, lang));
        if (everyLanguage || lang == TextAnalysis.French)
        {
            document.Add(new TextField(TextFrench, text, Field.Store.NO));
        }

        if (everyLanguage || lang == TextAnalysis.English)
        {
            document.Add(new TextField(TextEnglish, text, Field.Store.NO));
        }
    }

    private static void AddExact(Document document, string field, string value)
    {
        if (value.Trim().Length > 0)
        {
            document.Add(new StringField(PersonField + field, TextAnalysis.Fold(value), Field.Store.NO));
        }
    }

    private static void AddExactFilter(BooleanQuery filters, string field, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            filters.Add(new TermQuery(new Term(PersonField + field, TextAnalysis.Fold(value))), Occur.MUST);
        }
    }

    private static void AddTermFilter(BooleanQuery filters, string field, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            filters.Add(new TermQuery(new Term(field, field == Tag ? TextAnalysis.Fold(value) : value)), Occur.MUST);
        }
    }

    /// <summary>Below Lucene's limit of 1,024 clauses in one query.</summary>
    private const int MaxClausesPerFilter = 1_000;

    /// <summary>The groups whose content is within <paramref name="scope"/>: its members' and the open ones the index holds.</summary>
    private static IEnumerable<string> GroupsWithin(IndexSearcher searcher, ContentScope scope)
    {
        if (!scope.OpenGroups)
        {
            return scope.MemberGroups;
        }

        var open = new BooleanQuery
        {
            { new TermQuery(new Term(Kind, GroupKind)), Occur.MUST },
            { new TermQuery(new Term(Visibility, "open")), Occur.MUST },
        };
        var found = searcher.Search(open, Math.Max(1, searcher.IndexReader.MaxDoc));
        return found.ScoreDocs.Select(hit => searcher.Doc(hit.Doc).Get(Id, CultureInfo.InvariantCulture)).Concat(scope.MemberGroups).Distinct(StringComparer.Ordinal);
    }

    private static BooleanQuery OneOf(string field, params string[] values)
    {
        var query = new BooleanQuery();
        foreach (var value in values)
        {
            query.Add(new TermQuery(new Term(field, value)), Occur.SHOULD);
        }

        return query;
    }

    private static string[] Words(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Every word and phrase must match, each in any of the text fields; null when there is none.</summary>
    private BooleanQuery? TextQuery(IReadOnlyList<string> words, IReadOnlyList<string> phrases)
    {
        var query = new BooleanQuery();
        foreach (var part in words.Concat(phrases))
        {
            query.Add(MatchQuery(part), Occur.MUST);
        }

        return query.Clauses.Count == 0 ? null : query;
    }

    /// <summary>
    /// A word or phrase in any field's form: the plain form, the French and the English stems.
    /// A part that is only stop words in a language matches nothing there (an empty query).
    /// </summary>
    private BooleanQuery MatchQuery(string part)
    {
        var query = new BooleanQuery();
        foreach (var field in TextFields)
        {
            var terms = TextAnalysis.Terms(analyzer, field, part);
            if (terms.Count == 1)
            {
                query.Add(new TermQuery(new Term(field, terms[0])), Occur.SHOULD);
            }
            else if (terms.Count > 1)
            {
                var phrase = new PhraseQuery();
                foreach (var term in terms)
                {
                    phrase.Add(new Term(field, term));
                }

                query.Add(phrase, Occur.SHOULD);
            }
        }

        return query;
    }

    /// <summary>All but the last word as typed, the last one as a prefix; null when nothing is left to match.</summary>
    private BooleanQuery? PrefixQuery(string field, string prefix)
    {
        var terms = TextAnalysis.Terms(analyzer, field, prefix);
        if (terms.Count == 0)
        {
            return null;
        }

        var query = new BooleanQuery();
        for (var i = 0; i < terms.Count - 1; i++)
        {
            query.Add(new TermQuery(new Term(field, terms[i])), Occur.MUST);
        }

        query.Add(new PrefixQuery(new Term(field, terms[^1])), Occur.MUST);
        return query;
    }

    /// <summary>
    /// By relevance within a window of candidates when there are words to weigh; by recency
    /// otherwise (a search by operators only lists the newest first).
    /// </summary>
    private static ScoreDoc[] RankedCandidates(IndexSearcher searcher, Query? textQuery, BooleanQuery filters, int limit)
    {
        if (textQuery is null)
        {
            return searcher.Search(WithFilters(new MatchAllDocsQuery(), filters), null, Math.Max(limit, 1), new Sort(new SortField(Created, SortFieldType.INT64, reverse: true), SortField.FIELD_DOC)).ScoreDocs;
        }

        return searcher.Search(WithFilters(textQuery, filters), Math.Max(limit, Math.Min(RankingWindow, limit * 4))).ScoreDocs;
    }

    private static BooleanQuery WithFilters(Query query, BooleanQuery filters)
    {
        // Filters weigh nothing: only the words rank.
        var combined = new BooleanQuery { { query, Occur.MUST } };
        foreach (var clause in filters.Clauses)
        {
            var clauseQuery = clause.Occur == Occur.MUST ? new ConstantScoreQuery(clause.Query) { Boost = 0 } : clause.Query;
            combined.Add(clauseQuery, clause.Occur);
        }

        return combined;
    }

    /// <summary>The start of last month (UTC): texts since then rank before older ones.</summary>
    private static long RecentSince(DateTimeOffset now)
    {
        var lastMonth = now.UtcDateTime.AddMonths(-1);
        return new DateTime(lastMonth.Year, lastMonth.Month, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    }

    /// <summary>A week-old text weighs half of a new one, a month-old one about a fifth; old texts never drop to nothing.</summary>
    private static double Freshness(long nowTicks, long createdTicks)
    {
        var ageDays = Math.Max(0, (nowTicks - createdTicks) / (double)TimeSpan.TicksPerDay);
        return 0.2 + 0.8 / (1 + ageDays / 7);
    }

    private static long CreatedTicks(Document document) => document.GetField(Created).GetInt64ValueOrDefault();

    private ContentHit ToContentHit(Document document, Query? textQuery)
    {
        var text = document.Get(Raw, CultureInfo.InvariantCulture);
        var commentField = document.GetField(Comment);
        return new ContentHit(
            long.Parse(document.Get(Post, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            commentField?.GetInt64ValueOrDefault() ?? 0,
            document.Get(Author, CultureInfo.InvariantCulture),
            document.Get(Group, CultureInfo.InvariantCulture),
            text,
            Highlight(textQuery, text, document.Get(Lang, CultureInfo.InvariantCulture)));
    }

    /// <summary>The best passage with the matching words marked, tried in the text's language form, then plain.</summary>
    private string Highlight(Query? textQuery, string text, string language)
    {
        if (textQuery is null)
        {
            return "";
        }

        foreach (var field in new[] { language == TextAnalysis.French ? TextFrench : TextEnglish, TextPlain })
        {
            var highlighter = new Highlighter(new SimpleHTMLFormatter("«", "»"), new QueryScorer(textQuery, field))
            {
                TextFragmenter = new SimpleFragmenter(200),
            };
            if (highlighter.GetBestFragment(analyzer, field, text) is { Length: > 0 } fragment)
            {
                return fragment;
            }
        }

        return "";
    }

    private static IReadOnlyList<string> Ids(IndexSearcher searcher, IEnumerable<ScoreDoc> hits) =>
        [.. hits.Select(hit => searcher.Doc(hit.Doc).Get(Id, CultureInfo.InvariantCulture))];

    private Task Write(Action write)
    {
        try
        {
            ThrowIfDisposed();
            write();
            Interlocked.Increment(ref writes);
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is ObjectDisposedException)
        {
            throw Unavailable(e);
        }
    }

    private Task<T> Read<T>(Func<IndexSearcher, T> read)
    {
        try
        {
            ThrowIfDisposed();
            RefreshIfWritten();
            var searcher = searchers.Acquire();
            try
            {
                return Task.FromResult(read(searcher));
            }
            finally
            {
                searchers.Release(searcher);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException)
        {
            throw Unavailable(e);
        }
    }

    /// <summary>Reopens the reader when something was written since it was opened: a write shows in the next search.</summary>
    private void RefreshIfWritten()
    {
        var written = Interlocked.Read(ref writes);
        if (written != Interlocked.Read(ref writesSeen))
        {
            searchers.MaybeRefreshBlocking();
            Interlocked.Exchange(ref writesSeen, written);
        }
    }

    private void ThrowIfDisposed()
    {
        if (disposed)
        {
            throw Unavailable(null);
        }
    }

    private const string ClosedMessage = "The search index is not available (it was closed); searches answer again once it is back.";

    private static SearchUnavailableException Unavailable(Exception? inner) =>
        inner is null ? new(ClosedMessage) : new(ClosedMessage, inner);
}
