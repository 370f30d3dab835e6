using RseOrleans.Search;

namespace RseOrleans.Tests.Search;

/// <summary>
/// What every search engine does, whatever it is built on: each engine's test class derives from
/// this one and says how to make a fresh, empty index. Today the embedded Lucene engine; the
/// durable PostgreSQL engine joins with a class of its own.
/// </summary>
public abstract class SearchIndexConformance : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    protected ISearchIndex Index { get; private set; } = null!;

    /// <summary>A new, empty index of the engine under test.</summary>
    protected abstract Task<ISearchIndex> CreateIndexAsync();

    /// <summary>Closes it; afterwards every call must throw <see cref="SearchUnavailableException"/>.</summary>
    protected abstract Task CloseAsync(ISearchIndex index);

    public async Task InitializeAsync() => Index = await CreateIndexAsync();

    public Task DisposeAsync() => CloseAsync(Index);

    private static IndexedPost Post(long id, string text, string author = "alice", string? group = null, string? language = null, DateTimeOffset? at = null, string[]? tags = null, string[]? mentions = null) =>
        new(id, author, group, text, at ?? Now, language, tags ?? [], mentions ?? []);

    private async Task<long[]> PostIdsAsync(ContentQuery query, int limit = 50) =>
        [.. (await Index.SearchContentAsync(query, limit)).Select(hit => hit.PostId)];

    private static ContentQuery Words(params string[] words) => new() { Words = words };

    [Fact]
    public async Task French_words_match_their_plural_and_unaccented_forms_and_the_reverse()
    {
        await Index.IndexPostAsync(Post(1, "Les réseaux sociaux d'entreprise changent tout", language: "fr-FR"));
        await Index.IndexPostAsync(Post(2, "Nouvelle équipe à Lyon", language: "fr"));
        await Index.IndexPostAsync(Post(3, "Nothing to see here", language: "en"));

        Assert.Equal((long[])[1L], await PostIdsAsync(Words("réseau")));
        Assert.Equal((long[])[1L], await PostIdsAsync(Words("reseaux")));
        Assert.Equal((long[])[1L], await PostIdsAsync(Words("RÉSEAU", "social")));
        Assert.Equal((long[])[2L], await PostIdsAsync(Words("equipes")));
        Assert.Equal((long[])[1L], await PostIdsAsync(Words("entreprise")));
    }

    [Fact]
    public async Task English_words_match_their_inflected_forms_and_the_language_is_guessed_when_the_profile_has_none()
    {
        await Index.IndexPostAsync(Post(1, "We are running the deployments of the new services this week"));
        await Index.IndexPostAsync(Post(2, "Nous déployons les nouveaux serveurs cette semaine pour les équipes"));

        Assert.Equal((long[])[1L], await PostIdsAsync(Words("deployment", "service")));
        Assert.Equal((long[])[1L], await PostIdsAsync(Words("runs")));
        Assert.Equal((long[])[2L], await PostIdsAsync(Words("serveur", "equipe")));
    }

    [Fact]
    public async Task Phrases_match_words_in_order_and_exclusions_leave_texts_out()
    {
        await Index.IndexPostAsync(Post(1, "The quarterly planning meeting is moved"));
        await Index.IndexPostAsync(Post(2, "Meeting about planning the quarterly party"));

        Assert.Equal((long[])[1L], await PostIdsAsync(new ContentQuery { Phrases = ["planning meeting"] }));
        Assert.Equal((long[])[2L], await PostIdsAsync(new ContentQuery { Words = ["quarterly"], Excluded = ["moved"] }));
        Assert.Equal((long[])[1L], await PostIdsAsync(new ContentQuery { Words = ["planning"], Excluded = ["quarterly party"] }));
    }

    [Fact]
    public async Task Operators_narrow_by_author_group_topic_mention_date_link_and_a_set_of_posts()
    {
        await Index.IndexPostAsync(Post(1, "Release notes", author: "bob", group: "eng", tags: ["release"], at: Now.AddDays(-10)));
        await Index.IndexPostAsync(Post(2, "Release party https://example.com/party", author: "alice", mentions: ["bob"], at: Now.AddDays(-1)));
        await Index.IndexPostAsync(Post(3, "Release train", author: "bob", tags: ["Release", "train"]));

        Assert.Equal((long[])[1L, 3L], (await PostIdsAsync(new ContentQuery { Words = ["release"], AuthorId = "bob" })).Order());
        Assert.Equal((long[])[1L], await PostIdsAsync(new ContentQuery { Words = ["release"], GroupId = "eng" }));
        Assert.Equal((long[])[1L, 3L], (await PostIdsAsync(new ContentQuery { Hashtags = ["release"] })).Order());
        Assert.Equal((long[])[3L], await PostIdsAsync(new ContentQuery { Hashtags = ["release", "TRAIN"] }));
        Assert.Equal((long[])[2L], await PostIdsAsync(new ContentQuery { Mentions = "bob" }));
        Assert.Equal((long[])[2L], await PostIdsAsync(new ContentQuery { HasLink = true }));
        Assert.Equal((long[])[1L], await PostIdsAsync(new ContentQuery { Before = Now.AddDays(-5) }));
        Assert.Equal((long[])[3L, 2L], await PostIdsAsync(new ContentQuery { After = Now.AddDays(-5) }));
        Assert.Equal((long[])[2L], await PostIdsAsync(new ContentQuery { Words = ["release"], AmongPosts = new HashSet<long> { 2, 99 } }));
    }

    [Fact]
    public async Task Texts_of_this_month_and_the_last_come_first_and_older_ones_fill_the_rest_of_the_limit()
    {
        await Index.IndexPostAsync(Post(1, "budget budget budget review", at: Now.AddMonths(-4)));
        await Index.IndexPostAsync(Post(2, "budget", at: Now.AddMonths(-6)));
        await Index.IndexPostAsync(Post(3, "a short note on the budget among other things"));
        await Index.IndexPostAsync(Post(4, "budget figures", at: Now.AddDays(-1)));

        var all = await PostIdsAsync(Words("budget"), limit: 10);
        Assert.Equal((long[])[3L, 4L], all[..2].Order());
        Assert.Equal((long[])[1L, 2L], all[2..].Order());
        var three = await PostIdsAsync(Words("budget"), limit: 3);
        Assert.Equal((long[])[3L, 4L], three[..2].Order());
        Assert.Contains(three[2], (long[])[1L, 2L]);
        Assert.Equal((long[])[3L, 4L], (await PostIdsAsync(Words("budget"), limit: 2)).Order());
        Assert.Equal((long[])[1L, 2L], (await PostIdsAsync(new ContentQuery { Words = ["budget"], Before = Now.AddMonths(-3) })).Order());
    }

    [Fact]
    public async Task A_scope_keeps_profile_posts_the_members_groups_and_open_groups_when_asked()
    {
        await Index.IndexGroupAsync(new IndexedGroup("open-g", "Open", "", "open"));
        await Index.IndexGroupAsync(new IndexedGroup("closed-g", "Closed", "", "closed"));
        await Index.IndexGroupAsync(new IndexedGroup("secret-g", "Secret", "", "secret"));
        await Index.IndexPostAsync(Post(1, "budget profile"));
        await Index.IndexPostAsync(Post(2, "budget open", group: "open-g"));
        await Index.IndexPostAsync(Post(3, "budget closed", group: "closed-g"));
        await Index.IndexPostAsync(Post(4, "budget secret", group: "secret-g"));
        await Index.IndexPostAsync(Post(5, "budget unknown", group: "not-indexed-yet"));
        await Index.IndexCommentAsync(new IndexedComment(3, 31, "bob", "closed-g", "budget comment", Now, "en", [], []));

        var member = new ContentScope(new HashSet<string> { "secret-g" }, OpenGroups: true);
        var guest = new ContentScope(new HashSet<string> { "closed-g" }, OpenGroups: false);
        Assert.Equal((long[])[1L, 2L, 4L], (await PostIdsAsync(new ContentQuery { Words = ["budget"], Scope = member })).Order());
        Assert.Equal((long[])[1L, 3L, 3L], (await PostIdsAsync(new ContentQuery { Words = ["budget"], Scope = guest })).Order());
        Assert.Equal((long[])[1L, 2L, 3L, 3L, 4L, 5L], (await PostIdsAsync(Words("budget"))).Order());
    }

    [Fact]
    public async Task Equally_relevant_texts_come_newest_first_and_operators_alone_list_the_newest_first()
    {
        await Index.IndexPostAsync(Post(1, "kubernetes upgrade", at: Now.AddDays(-60)));
        await Index.IndexPostAsync(Post(2, "kubernetes upgrade", at: Now.AddHours(-1)));
        await Index.IndexPostAsync(Post(3, "kubernetes upgrade", at: Now.AddDays(-7)));

        Assert.Equal((long[])[2L, 3L, 1L], await PostIdsAsync(Words("kubernetes")));
        Assert.Equal((long[])[2L, 3L, 1L], await PostIdsAsync(new ContentQuery { AuthorId = "alice" }));
        Assert.Equal((long[])[2L, 3L], await PostIdsAsync(Words("kubernetes"), limit: 2));
    }

    [Fact]
    public async Task Hits_mark_the_matching_words_and_carry_the_text_they_matched()
    {
        await Index.IndexPostAsync(Post(1, "Le nouveau réseau de la filiale est ouvert", language: "fr"));

        var hit = Assert.Single(await Index.SearchContentAsync(Words("reseaux"), 10));
        Assert.Contains("«réseau»", hit.Highlight, StringComparison.Ordinal);
        Assert.Equal("Le nouveau réseau de la filiale est ouvert", hit.IndexedText);
        Assert.Equal(0, hit.CommentId);
    }

    [Fact]
    public async Task Hits_searched_without_highlights_are_highlighted_when_shown()
    {
        await Index.IndexPostAsync(Post(1, "Le nouveau réseau de la filiale est ouvert", language: "fr"));
        await Index.IndexPostAsync(Post(2, "The network team moves to the new building", language: "en"));
        await Index.IndexCommentAsync(new IndexedComment(2, 21, "bob", null, "Which network floor?", Now, "en", [], []));
        var query = Words("reseaux") with { Highlighted = false };

        var french = await Index.HighlightAsync(query, await Index.SearchContentAsync(query, 10));
        var searched = await Index.SearchContentAsync(Words("networks") with { Highlighted = false }, 10);
        var english = await Index.HighlightAsync(Words("networks"), searched);

        Assert.Contains("«réseau»", Assert.Single(french).Highlight, StringComparison.Ordinal);
        Assert.Equal(2, english.Count);
        Assert.Equal(searched.Select(hit => (hit.PostId, hit.CommentId)), english.Select(hit => (hit.PostId, hit.CommentId)));
        Assert.All(english, hit => Assert.Contains("«network»", hit.Highlight, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Comments_are_found_with_their_post_and_go_with_it()
    {
        await Index.IndexPostAsync(Post(1, "Question about the cafeteria"));
        await Index.IndexCommentAsync(new IndexedComment(1, 11, "bob", null, "The espresso machine is fixed", Now, "en", [], []));

        var hit = Assert.Single(await Index.SearchContentAsync(Words("espresso"), 10));
        Assert.Equal((1L, 11L, "bob"), (hit.PostId, hit.CommentId, hit.AuthorId));

        await Index.RemoveCommentAsync(1, 11);
        Assert.Empty(await PostIdsAsync(Words("espresso")));
        await Index.IndexCommentAsync(new IndexedComment(1, 12, "bob", null, "The espresso machine is broken again", Now, "en", [], []));
        await Index.RemovePostAsync(1);
        Assert.Empty(await PostIdsAsync(Words("espresso")));
        Assert.Empty(await PostIdsAsync(Words("cafeteria")));
    }

    [Fact]
    public async Task An_edit_replaces_the_text_and_an_erasure_takes_the_person_and_all_they_wrote()
    {
        await Index.IndexPostAsync(Post(1, "first draft wording"));
        await Index.IndexPostAsync(Post(1, "final wording"));
        Assert.Empty(await PostIdsAsync(Words("draft")));
        Assert.Equal((long[])[1L], await PostIdsAsync(Words("final")));

        await Index.IndexPersonAsync(new IndexedPerson("carol", "Carol Martin", "Designer", "Product", "Lyon", "fr", ["Figma"]));
        await Index.IndexPostAsync(Post(2, "Carol's wording", author: "carol"));
        await Index.IndexCommentAsync(new IndexedComment(1, 5, "carol", null, "wording by carol", Now, null, [], []));
        await Index.RemovePersonAndContentAsync("carol");

        Assert.Equal((long[])[1L], await PostIdsAsync(Words("wording")));
        Assert.Empty(await Index.SearchPeopleAsync(new PeopleQuery { Text = "carol" }, 10));
    }

    [Fact]
    public async Task People_are_found_by_any_part_of_their_profile_and_filtered_exactly()
    {
        await Index.IndexPersonAsync(new IndexedPerson("dana", "Dana Lefèvre", "Ingénieure réseau", "Infrastructure", "Orléans", "fr", ["Kubernetes", "Réseaux"]));
        await Index.IndexPersonAsync(new IndexedPerson("eric", "Eric Stone", "Network engineer", "Infrastructure", "London", "en", ["Routing"]));
        await Index.IndexPersonAsync(new IndexedPerson("fay", "Fay Wong", "Accountant", "Finance", "Orleans", "en", []));

        Assert.Equal(["dana"], await Index.SearchPeopleAsync(new PeopleQuery { Text = "lefevre" }, 10));
        Assert.Equal(["dana"], await Index.SearchPeopleAsync(new PeopleQuery { Text = "reseaux" }, 10));
        Assert.Equal(["dana", "eric"], (await Index.SearchPeopleAsync(new PeopleQuery { Department = "infrastructure" }, 10)).Order());
        Assert.Equal(["dana", "fay"], (await Index.SearchPeopleAsync(new PeopleQuery { Location = "ORLEANS" }, 10)).Order());
        Assert.Equal(["eric"], await Index.SearchPeopleAsync(new PeopleQuery { Text = "engineer", Language = "en" }, 10));
        Assert.Equal(["dana"], await Index.SearchPeopleAsync(new PeopleQuery { Skill = "kubernetes" }, 10));
        Assert.Empty(await Index.SearchPeopleAsync(new PeopleQuery { Skill = "kube" }, 10));
    }

    [Fact]
    public async Task Groups_are_found_by_name_and_description_and_filtered_by_visibility()
    {
        await Index.IndexGroupAsync(new IndexedGroup("g-cycling", "Vélo au travail", "Les cyclistes de l'entreprise", "open"));
        await Index.IndexGroupAsync(new IndexedGroup("g-board", "Board", "Cycling budget decisions", "secret"));

        Assert.Equal(["g-cycling"], await Index.SearchGroupsAsync(new GroupQuery("velo", null), 10));
        Assert.Equal(["g-cycling"], await Index.SearchGroupsAsync(new GroupQuery("cyclist", null), 10));
        Assert.Equal(["g-board"], await Index.SearchGroupsAsync(new GroupQuery("budgets", null), 10));
        Assert.Equal(["g-board"], await Index.SearchGroupsAsync(new GroupQuery("", "secret"), 10));
        Assert.Equal(["g-board"], await Index.SearchGroupsAsync(new GroupQuery("", null) { AmongGroups = new HashSet<string> { "g-board", "g-other" } }, 10));
    }

    [Fact]
    public async Task Suggestions_complete_names_of_people_and_groups_and_topics_with_their_recent_posts()
    {
        await Index.IndexPersonAsync(new IndexedPerson("helene", "Hélène Durand", "", "", "", "", []));
        await Index.IndexPersonAsync(new IndexedPerson("hugo", "Hugo Petit", "", "", "", "", []));
        await Index.IndexGroupAsync(new IndexedGroup("help-desk", "Helpdesk", "", "open"));
        await Index.IndexPostAsync(Post(7, "see #hello-world", group: "team", tags: ["hello-world"]));
        await Index.IndexPostAsync(Post(8, "see #hello-world again", at: Now.AddMinutes(1), tags: ["hello-world"]));

        var suggestions = await Index.SuggestAsync("hel", 10);
        Assert.Contains(suggestions, s => s is { Kind: SuggestionKind.Person, Id: "helene", Label: "Hélène Durand" });
        Assert.Contains(suggestions, s => s is { Kind: SuggestionKind.Group, Id: "help-desk" });
        var topic = Assert.Single(suggestions, s => s.Kind == SuggestionKind.Topic);
        Assert.Equal("hello-world", topic.Id);
        Assert.Equal([new RecentPost(8, "alice", null), new RecentPost(7, "alice", "team")], topic.RecentPosts);
        Assert.DoesNotContain(suggestions, s => s.Id == "hugo");
        Assert.Contains(await Index.SuggestAsync("helene du", 10), s => s.Id == "helene");
        Assert.DoesNotContain(await Index.SuggestAsync("hugo du", 10), s => s.Id == "helene");
        Assert.Contains(await Index.SuggestAsync("Hélène", 10), s => s.Id == "helene");

        await Index.IndexPersonAsync(new IndexedPerson("helene", "Hélène Martin", "", "", "", "", []));
        Assert.DoesNotContain(await Index.SuggestAsync("helene du", 10), s => s.Id == "helene");
        Assert.Contains(await Index.SuggestAsync("helene mar", 10), s => s.Id == "helene");
        await Index.RemovePersonAndContentAsync("helene");
        Assert.DoesNotContain(await Index.SuggestAsync("hel", 10), s => s.Id == "helene");
    }

    [Fact]
    public async Task A_scope_follows_a_group_indexed_after_its_texts_and_a_change_of_its_visibility()
    {
        await Index.IndexPostAsync(Post(1, "budget early", group: "g"));
        var outsider = new ContentQuery { Words = ["budget"], Scope = new ContentScope(new HashSet<string>(), OpenGroups: true) };
        var guestMember = new ContentQuery { Words = ["budget"], Scope = new ContentScope(new HashSet<string> { "g" }, OpenGroups: false) };
        Assert.Empty(await PostIdsAsync(outsider));

        await Index.IndexGroupAsync(new IndexedGroup("g", "G", "", "open"));
        Assert.Equal((long[])[1L], await PostIdsAsync(outsider));
        Assert.Equal((long[])[1L], await PostIdsAsync(guestMember));

        await Index.IndexGroupAsync(new IndexedGroup("g", "G", "", "closed"));
        Assert.Empty(await PostIdsAsync(outsider));
        Assert.Equal((long[])[1L], await PostIdsAsync(guestMember));
    }

    [Fact]
    public async Task A_closed_index_says_it_is_unavailable_for_reads_and_writes()
    {
        await CloseAsync(Index);

        await Assert.ThrowsAsync<SearchUnavailableException>(() => Index.SearchContentAsync(Words("x"), 10));
        await Assert.ThrowsAsync<SearchUnavailableException>(() => Index.IndexPostAsync(Post(1, "x")));
        await Assert.ThrowsAsync<SearchUnavailableException>(() => Index.SuggestAsync("x", 10));
    }
}

/// <summary>The embedded engine passes the conformance suite.</summary>
public sealed class LuceneSearchIndexConformanceTests : SearchIndexConformance
{
    protected override Task<ISearchIndex> CreateIndexAsync() => Task.FromResult<ISearchIndex>(new LuceneSearchIndex());

    protected override Task CloseAsync(ISearchIndex index)
    {
        ((LuceneSearchIndex)index).Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// The durable engine passes the conformance suite: each test on a database of its own in the
/// shared real PostgreSQL, migrated as a silo would; closing it disposes its connections.
/// </summary>
[Collection(Fixtures.Servers.DatabaseServersCollection.Name)]
public sealed class PostgresSearchIndexConformanceTests(Fixtures.Servers.DatabaseServersFixture servers) : SearchIndexConformance
{
    private static int databases;

    private Npgsql.NpgsqlDataSource? database;

    protected override async Task<ISearchIndex> CreateIndexAsync()
    {
        var connectionString = await servers.CreateDatabaseAsync($"search_conformance_{Interlocked.Increment(ref databases)}");
        database = Npgsql.NpgsqlDataSource.Create(connectionString);
        await new Storage.Postgres.SchemaMigrator(database, Microsoft.Extensions.Logging.Abstractions.NullLogger<Storage.Postgres.SchemaMigrator>.Instance).MigrateAsync();
        return new Storage.Search.PostgresSearchIndex(database, PostgresBreaker(connectionString), TimeProvider.System);
    }

    protected override async Task CloseAsync(ISearchIndex index)
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    private static Storage.Resilience.StoreBreaker PostgresBreaker(string connectionString) => new(
        Storage.Resilience.StoreBreaker.Postgres,
        "searches answer UNAVAILABLE at once",
        async cancellation =>
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellation);
        },
        () => { },
        new Storage.Resilience.StoreBreakerOptions(),
        TimeProvider.System,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<Storage.Resilience.StoreBreaker>.Instance);
}
