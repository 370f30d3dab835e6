using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Search;
using RseOrleans.TestServers;
using Activity = RseOrleans.Grains.Durability.Activity;
using ActivityKind = RseOrleans.Grains.Durability.ActivityKind;
using IActivityLog = RseOrleans.Grains.Durability.IActivityLog;
using SearchClient = RseOrleans.Api.V1.Search.SearchClient;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Search in durable mode on a real PostgreSQL (started here), with a corpus of
/// <see cref="CorpusPosts"/> posts and <see cref="CorpusPeople"/> people loaded straight into the
/// search tables (French and English texts, topics, mentions; see <see cref="RandomText"/> for how
/// words are drawn), plus <see cref="RealPosts"/> real
/// posts written through the grains, which the queries' words also find (and, being new, rank first).
/// <list type="bullet">
/// <item><see cref="SearchPostsAt200PerSecond"/>: SearchPosts through the API with verified tokens, an
/// open loop of 200 searches a second, each latency from its scheduled start (HdrHistogram).</item>
/// <item><see cref="SuggestAt200PerSecond"/>: Suggest the same way, from two or three letters.</item>
/// <item><see cref="IndexingThroughput"/>: posts per second through the real path, from the
/// grains' activity log to searchable rows.</item>
/// </list>
/// Corpus rows are not real posts (no grain state): they belong to a closed group none of the
/// searching readers is in, as most of a company's content is for someone else, so the API's
/// permission check drops them from the index's group column without waking anything. Pages are
/// filled from the real posts, written by the readers with texts drawn like the corpus's and
/// deactivated after the setup, so a page first loads its posts from PostgreSQL, as a search of
/// old posts does. The benchmarks' names say the target's rate; RSE_SEARCH_RATE runs them at another,
/// which the printed lines state. The engine and the corpus are set up once per process, for all the benchmarks of
/// the class a run selects; <see cref="IndexingThroughput"/> adds to the corpus, so it runs on its own. Each run
/// prints how many hits a page returned on average. RSE_SEARCH_POSTS, RSE_SEARCH_PEOPLE and RSE_SEARCH_REAL_POSTS change the
/// sizes (1,000,000, 100,000 and 10,000 by default).
/// </summary>
[Config(typeof(LatencyColumns))]
public class SearchBenchmarks
{
    private const int SearchesPerInvocation = 400;

    /// <summary>
    /// The open loop's rate: the target's 200 a second unless RSE_SEARCH_RATE says otherwise (a lower
    /// rate shows what one search costs when they do not queue).
    /// </summary>
    private static readonly int PerSecond = int.Parse(Environment.GetEnvironmentVariable("RSE_SEARCH_RATE") ?? "200", System.Globalization.CultureInfo.InvariantCulture);
    private const int IndexedPerInvocation = 5_000;

    private static readonly string[] French =
    [
        "réseau", "réseaux", "équipe", "équipes", "projet", "projets", "réunion", "déploiement", "serveur", "serveurs",
        "client", "clients", "qualité", "sécurité", "formation", "stratégie", "budget", "innovation", "données", "analyse",
        "développement", "produit", "lancement", "retour", "expérience", "télétravail", "bureau", "événement", "nouvelle", "version",
        "les", "des", "pour", "avec", "dans", "sur", "une", "est", "nous", "cette",
    ];

    private static readonly string[] English =
    [
        "network", "networks", "team", "teams", "project", "projects", "meeting", "deployment", "server", "servers",
        "customer", "customers", "quality", "security", "training", "strategy", "budget", "innovation", "data", "analysis",
        "development", "product", "launch", "feedback", "experience", "remote", "office", "event", "new", "release",
        "the", "and", "for", "with", "this", "that", "our", "are", "will", "from",
    ];

    private static readonly string[] Topics =
    [
        "onboarding", "kubernetes", "sécurité", "qualité", "innovation", "télétravail", "release", "roadmap", "budget2027", "lyon",
        "paris", "london", "formation", "datascience", "devops", "rh", "finance", "design", "support", "ventes",
    ];

    private static readonly string[] Departments = ["Engineering", "Finance", "Ressources humaines", "Ventes", "Marketing", "Support", "Direction", "Design"];
    private static readonly string[] Locations = ["Paris", "Lyon", "London", "Orléans", "Montréal", "Berlin"];
    private static readonly string[] FirstNames = ["Hélène", "Hugo", "Chloé", "Léa", "Jérôme", "Amélie", "Noah", "Emma", "Oliver", "Grace", "Zoé", "François"];
    private static readonly string[] LastNames = ["Durand", "Lefèvre", "Martin", "Petit", "Moreau", "Smith", "Jones", "Brown", "Garcia", "Müller", "Bernard", "Roux"];

    // The engine, its stores and the corpus are loaded once per process and shared by the benchmarks
    // of this class that run in it (run.sh's filter may select several): loading a million rows takes
    // minutes. They are torn down when the process exits.
    private static readonly PostgresServer postgres = new();
    private static readonly RedisServer redis = new();
    private static ISearchIndex index = null!;
    private static BenchmarkEngine? engine;
    private static SearchClient search = null!;
    private static Metadata[] callers = [];
    private static ISourceGrain source = null!;
    private static string author = "";
    private static int round;

    private static BenchmarkEngine Engine => engine ?? throw new InvalidOperationException("The search engine is not set up.");

    private readonly OperationLatencies searchLatencies = new("SearchPosts");
    private readonly OperationLatencies suggestLatencies = new("Suggest");
    private readonly OperationLatencies indexLatencies = new("IndexSearch");
    private long pages;
    private long hitsShown;

    public int CorpusPosts { get; } = int.Parse(Environment.GetEnvironmentVariable("RSE_SEARCH_POSTS") ?? "1000000", System.Globalization.CultureInfo.InvariantCulture);

    public int CorpusPeople { get; } = int.Parse(Environment.GetEnvironmentVariable("RSE_SEARCH_PEOPLE") ?? "100000", System.Globalization.CultureInfo.InvariantCulture);

    public int RealPosts { get; } = int.Parse(Environment.GetEnvironmentVariable("RSE_SEARCH_REAL_POSTS") ?? "10000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The closed group of the corpus rows; no reader is a member.</summary>
    private const string CorpusGroup = "corpus-closed";

    [GlobalSetup]
    public async Task SetUp()
    {
        if (engine is not null)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeCorpusAsync().AsTask().GetAwaiter().GetResult();
        engine = await BenchmarkEngine.StartDurableAsync(postgres, redis, "--Limits:WritesPerMinute=0");
        search = new SearchClient(engine.Channel);
        index = engine.Services.GetRequiredService<ISearchIndex>();

        var loading = Stopwatch.StartNew();
        await LoadCorpusAsync();
        Console.WriteLine($"// Search corpus: {CorpusPosts:N0} posts and {CorpusPeople:N0} people loaded in {loading.Elapsed.TotalSeconds:F0} s; searches run at {PerSecond} a second");
        loading.Restart();

        // Real accounts and posts: the grains feed search (people) and the activity log (posts).
        var readers = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var userId = $"reader-{i}";
            await engine.Grains.GetGrain<IUserGrain>(userId).Create(new UserProfile($"{FirstNames[i % FirstNames.Length]} Reader{i}", "Engineer", Departments[i % Departments.Length], Locations[i % Locations.Length], "Europe/Paris", i % 2 == 0 ? "fr-FR" : "en-GB", ["C#"]));
            readers.Add(userId);
        }

        callers = [.. readers.Select(BenchmarkTokens.Caller)];
        await engine.Grains.GetGrain<IUserGrain>("corpus-owner").Create(new UserProfile("Corpus Owner", "Archivist", "Direction", "Paris", "Europe/Paris", "fr-FR", []));
        await engine.Grains.GetGrain<IGroupGrain>(CorpusGroup).Create("corpus-owner", new GroupSpec("Archives", "", RseOrleans.Model.GroupVisibility.Closed, RseOrleans.Model.PostingPolicy.AllMembers), "create-corpus");
        author = readers[0];
        source = engine.Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key);
        await PublishAndWaitAsync(RealPosts);
        var analysed = await WaitForAutoAnalyzeAsync();
        var management = engine.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection([.. (await management.GetHosts(onlyActive: true)).Keys], TimeSpan.Zero);
        Console.WriteLine($"// Search: {RealPosts:N0} real posts written through the grains and indexed in {loading.Elapsed.TotalSeconds:F0} s, of which {analysed.TotalSeconds:F0} s waiting for statistics as fresh as autovacuum keeps them");
    }

    /// <summary>
    /// Waits until the content table's statistics are as fresh as autovacuum keeps them in a running
    /// deployment (0010_search_statistics.sql): fewer rows changed since its last analysis than the
    /// threshold at which it analyses again. Without it, the planner may still think the readers'
    /// scopes empty, and every search measures a plan no settled database runs.
    /// </summary>
    private static async Task<TimeSpan> WaitForAutoAnalyzeAsync()
    {
        var waiting = Stopwatch.StartNew();
        await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var fresh = database.CreateCommand(
            """
            SELECT s.n_mod_since_analyze <= t.threshold + t.scale * c.reltuples
              FROM pg_stat_user_tables s
              JOIN pg_class c ON c.oid = s.relid
             CROSS JOIN LATERAL (SELECT
                    coalesce((SELECT option_value::float8 FROM pg_options_to_table(c.reloptions) WHERE option_name = 'autovacuum_analyze_threshold'), current_setting('autovacuum_analyze_threshold')::float8) AS threshold,
                    coalesce((SELECT option_value::float8 FROM pg_options_to_table(c.reloptions) WHERE option_name = 'autovacuum_analyze_scale_factor'), current_setting('autovacuum_analyze_scale_factor')::float8) AS scale) t
             WHERE s.relname = 'rse_search_content'
            """);
        while (!(bool)(await fresh.ExecuteScalarAsync())!)
        {
            if (waiting.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new InvalidOperationException("autovacuum did not analyse rse_search_content within 3 minutes of the real posts; no figure is taken on stale statistics");
            }

            await Task.Delay(500);
        }

        return waiting.Elapsed;
    }

    private static async ValueTask DisposeCorpusAsync()
    {
        if (engine is not null)
        {
            await engine.DisposeAsync();
            engine = null;
        }

        await postgres.DisposeAsync();
        await redis.DisposeAsync();
    }

    /// <summary>400 searches of one to three words, started 5 ms apart (at 200 a second) whatever the answers do.</summary>
    [Benchmark(OperationsPerInvoke = SearchesPerInvocation)]
    public async Task SearchPostsAt200PerSecond()
    {
        await OpenLoopAsync(searchLatencies, async i =>
        {
            var page = await search.SearchPostsAsync(new SearchPostsRequest { Query = QueryWords(i) }, callers[i % callers.Length]);
            Interlocked.Increment(ref pages);
            Interlocked.Add(ref hitsShown, page.Hits.Count);
        });
        Console.WriteLine($"// SearchPosts: {(double)Interlocked.Read(ref hitsShown) / Math.Max(1, Interlocked.Read(ref pages)):F1} hits a page on average (page size 20)");
    }

    [Benchmark(OperationsPerInvoke = SearchesPerInvocation)]
    public Task SuggestAt200PerSecond() => OpenLoopAsync(suggestLatencies, i =>
    {
        var names = i % 3 == 0 ? Topics : i % 3 == 1 ? FirstNames : LastNames;
        var name = names[i % names.Length];
        var prefix = (i % 4 == 0 ? "#" : "") + name[..Math.Min(name.Length, 2 + (i % 2))];
        return search.SuggestAsync(new SuggestRequest { Prefix = prefix }, callers[i % callers.Length]).ResponseAsync;
    });

    /// <summary>
    /// The same searches on the index alone (ISearchIndex, as the API's first round asks it), without
    /// the API's live check of each candidate: what PostgreSQL costs, apart from the rest.
    /// </summary>
    [Benchmark(OperationsPerInvoke = SearchesPerInvocation)]
    public Task IndexSearchAt200PerSecond() => OpenLoopAsync(indexLatencies, i =>
    {
        return index.SearchContentAsync(new ContentQuery { Words = QueryWords(i).Split(' ') }, 40);
    });

    /// <summary>
    /// 5,000 posts appended to the activity log as the post grains append them (batches of 100,
    /// through the engine's own IActivityLog), until the indexer has made the last one searchable;
    /// prints posts per second. The grains' own work before the append is not counted.
    /// </summary>
    [Benchmark(OperationsPerInvoke = IndexedPerInvocation)]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet runs instance methods.")]
    public async Task IndexingThroughput()
    {
        var log = Engine.Services.GetRequiredService<IActivityLog>();
        var batch = ++round;
        var ids = Engine.Services.GetRequiredService<RseOrleans.Grains.Infrastructure.TimeOrderedIdGenerator>();
        var started = Stopwatch.StartNew();
        for (var sent = 0; sent < IndexedPerInvocation; sent += 100)
        {
            var now = DateTimeOffset.UtcNow;
            await log.AppendAllAsync([.. Enumerable.Range(sent, 100).Select(i => (Id: ids.NextId(), Text: $"{Word(i)} {Word(i + 3)} {Word(i + 8)} {Word(i + 17)} #{Topics[i % Topics.Length]} indexed{batch}"))
                .Select(post => new Activity(post.Id, ActivityKind.Posted, post.Id, SourceId.User(author).Key, author, post.Text, now))]);
        }

        await SearchQueues.WaitUntilEmptyAsync(postgres.ConnectionString);
        Console.WriteLine($"// Indexing: {IndexedPerInvocation} posts from the activity log to searchable rows in {started.Elapsed.TotalMilliseconds:F0} ms, {IndexedPerInvocation / started.Elapsed.TotalSeconds:F0} posts/s");
    }

    private static async Task OpenLoopAsync(OperationLatencies latencies, Func<int, Task> operation)
    {
        var interval = Stopwatch.Frequency / PerSecond;
        var start = Stopwatch.GetTimestamp();
        var running = new List<Task>(SearchesPerInvocation);
        var failures = new List<Task>(SearchesPerInvocation);
        for (var i = 0; i < SearchesPerInvocation; i++)
        {
            var scheduled = start + (i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var call = operation(i);
            running.Add(call.ContinueWith(_ => latencies.RecordSince(scheduled), TaskScheduler.Default));
            failures.Add(call);
        }

        await Task.WhenAll(running);
        latencies.Report();

        // A figure over failed calls is no figure: the run stops and says why.
        if (failures.FirstOrDefault(call => call.IsFaulted) is { } failed)
        {
            throw new InvalidOperationException($"{failures.Count(call => call.IsFaulted)} of {failures.Count} operations failed; the first: {failed.Exception!.InnerException!.Message}");
        }
    }

    /// <summary>One to three content words of one language, as a person types them.</summary>
    private static string QueryWords(int i)
    {
        var words = i % 2 == 0 ? French : English;
        return string.Join(' ', Enumerable.Range(0, 1 + (i % 3)).Select(k => words[(i * 7 + k * 13) % 30]).Distinct());
    }

    private static string Word(int i) => (i % 2 == 0 ? French : English)[(i / 2) % 30];

    /// <summary>
    /// Eight to seventeen words drawn as the corpus's are: one in twenty from the 40 common words of
    /// one language (the ones searched for), the others from 20,000 rarer terms, the first ones far
    /// more frequent than the last (log-uniform, near Zipf's law), so that a searched word is in
    /// about 2 % of texts, not in a third of them.
    /// </summary>
    private static string RandomText(int seed)
    {
        var random = new Random(seed);
        var words = seed % 2 == 0 ? French : English;
        return string.Join(' ', Enumerable.Range(0, 8 + (seed % 10)).Select(_ => random.Next(20) == 0
            ? words[random.Next(words.Length)]
            : "terme" + (int)Math.Exp(random.NextDouble() * Math.Log(20_000))));
    }

    /// <summary>Publishes through the author's source grain (the activity log is written there), then waits for the indexer.</summary>
    private static async Task PublishAndWaitAsync(int count)
    {
        var batch = ++round;
        for (var sent = 0; sent < count; sent += 100)
        {
            var posts = Enumerable.Range(sent, Math.Min(100, count - sent))
                .Select(i => new NewPost(author, $"{RandomText(batch * 1_000_003 + i)} #{Topics[i % Topics.Length]} round{batch}"))
                .ToArray();
            foreach (var outcome in await source.PublishAll(posts))
            {
                outcome.Unwrap();
            }
        }

        await SearchQueues.WaitUntilEmptyAsync(postgres.ConnectionString);
    }

    /// <summary>
    /// Fills the tables in batches of 50,000 rows generated inside PostgreSQL (no round trip per
    /// row), with the full-text index built once at the end rather than updated row by row.
    /// </summary>
    private async Task LoadCorpusAsync()
    {
        await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);
        // The text index is built again as the migrations define it, with its storage options.
        await using var definition = database.CreateCommand("SELECT pg_get_indexdef('rse_search_content_document'::regclass)");
        var contentIndex = (string)(await definition.ExecuteScalarAsync())!;
        await ExecuteAsync(database, "DROP INDEX IF EXISTS rse_search_content_document; DROP INDEX IF EXISTS rse_search_people_document");
        for (var from = 1; from <= CorpusPeople; from += 50_000)
        {
            await ExecuteAsync(
                database,
                """
                INSERT INTO rse_search_people (user_id, display_name, title, department, location, language, skills, names, document)
                SELECT 'person-' || i, p.name, 'engineer', lower(p.department), lower(unaccent(p.location)), CASE WHEN i % 2 = 0 THEN 'fr' ELSE 'en' END,
                       ARRAY[p.skill], lower(unaccent(p.name)) || ' person ' || i,
                       rse_search_document(p.name || ' ' || p.department || ' ' || p.location || ' ' || p.skill, '', true)
                  FROM generate_series($1::bigint, $2::bigint) AS i
                 CROSS JOIN LATERAL (SELECT $3::text[] AS first, $4::text[] AS last, $5::text[] AS departments, $6::text[] AS locations, $7::text[] AS topics) AS v
                 CROSS JOIN LATERAL (SELECT v.first[1 + abs(hashint8(i)) % cardinality(v.first)] || ' ' || v.last[1 + abs(hashint8(i + 7)) % cardinality(v.last)] AS name,
                                            v.departments[1 + i % cardinality(v.departments)] AS department,
                                            v.locations[1 + i % cardinality(v.locations)] AS location,
                                            v.topics[1 + i % cardinality(v.topics)] AS skill) AS p
                ON CONFLICT DO NOTHING
                """,
                (long)from, (long)Math.Min(from + 49_999, CorpusPeople), FirstNames, LastNames, Departments, Locations, Topics);
        }

        for (var from = 1; from <= CorpusPosts; from += 50_000)
        {
            await ExecuteAsync(
                database,
                """
                INSERT INTO rse_search_content (post_id, comment_id, author_id, group_id, body, language, created_at, hashtags, mentions, has_link, document)
                SELECT i, 0, 'person-' || (1 + i % $6), $7, p.body, p.lang, p.created, ARRAY[p.topic], ARRAY['person-' || (1 + (i * 13) % $6)], false,
                       rse_search_document(p.body, p.lang, false)
                  FROM generate_series($1::bigint, $2::bigint) AS i
                 CROSS JOIN LATERAL (SELECT CASE WHEN i % 2 = 0 THEN 'fr' ELSE 'en' END AS lang,
                                            ($5::text[])[1 + abs(hashint8(i * 3)) % cardinality($5::text[])] AS topic,
                                            now() - (abs(hashint8(i * 5)) % 31536000) * interval '1 second' AS created) AS q
                 CROSS JOIN LATERAL (SELECT q.lang, q.topic, q.created,
                                            (SELECT string_agg(CASE WHEN abs(hashint8(i * 16 + k)) % 20 = 0
                                                                    THEN (CASE WHEN q.lang = 'fr' THEN $3::text[] ELSE $4::text[] END)[1 + abs(hashint8(i * 16 + k + 5)) % 40]
                                                                    ELSE 'terme' || floor(exp((abs(hashint8(i * 16 + k + 9)) % 1000000) / 1000000.0 * ln(20000)))::int END, ' ')
                                               FROM generate_series(1, 8 + (i % 10)::int) AS k)
                                            || ' #' || q.topic || ' @person-' || (1 + (i * 13) % $6) AS body) AS p
                """,
                (long)from, (long)Math.Min(from + 49_999, CorpusPosts), French, English, Topics, (long)CorpusPeople, CorpusGroup);
            await ExecuteAsync(
                database,
                "INSERT INTO rse_search_topics (tag, post_id, comment_id, created_at) SELECT hashtags[1], post_id, 0, created_at FROM rse_search_content WHERE post_id BETWEEN $1 AND $2 AND comment_id = 0",
                (long)from, (long)Math.Min(from + 49_999, CorpusPosts));
        }

        await ExecuteAsync(database, $"SET maintenance_work_mem = '256MB'; {contentIndex}");
        await ExecuteAsync(database, "CREATE INDEX rse_search_people_document ON rse_search_people USING gin (document)");
        await ExecuteAsync(database, "VACUUM ANALYZE rse_search_content; VACUUM ANALYZE rse_search_people; VACUUM ANALYZE rse_search_topics; VACUUM ANALYZE rse_search_name_words; VACUUM ANALYZE rse_search_topic_summary");
    }

    private static async Task ExecuteAsync(NpgsqlDataSource database, string sql, params object[] values)
    {
        await using var connection = await database.OpenConnectionAsync();
        if (values.Length == 0)
        {
            // Several statements at once (no parameters): the simple protocol.
            foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await using var each = new NpgsqlCommand(statement, connection) { CommandTimeout = 0 };
                await each.ExecuteNonQueryAsync();
            }

            return;
        }

        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync();
    }
}
