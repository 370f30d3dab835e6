using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RseOrleans.Api.V1;
using RseOrleans.Storage.Search;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;
using SearchClient = RseOrleans.Api.V1.Search.SearchClient;

namespace RseOrleans.Tests.Search;

/// <summary>
/// Search in durable mode: one index in PostgreSQL for the whole cluster, fed from the activity
/// log and the grains that own people and groups, whichever silo took the write; it outlives a
/// restart and is rebuilt whole from its owners on an admin's request.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class DurableSearchTests(DatabaseServersFixture servers)
{
    private const string Admin = "search-admin";

    [Fact]
    public async Task A_post_acknowledged_by_one_silo_is_found_through_another_within_a_second_and_an_erasure_done_there_empties_it()
    {
        var stores = await DurableStores.CreateAsync(servers, "search_cluster");
        string[] settings = [$"--Orleans:ClusterId=search-{Guid.NewGuid():N}", $"--Network:Admins:0={Admin}"];
        await using var first = await stores.StartEngineAsync("search-first", settings);
        await using var second = await stores.StartEngineAsync("search-second", settings);
        var (a, b) = (new EngineClient(first.Channel), new EngineClient(second.Channel));
        var searchB = new SearchClient(second.Channel);
        var author = await a.CreateUserAsync("author");
        var reader = await b.CreateUserAsync("reader");
        var group = await a.CreateGroupAsync(author, GroupVisibility.Open, name: "Observatoire des réseaux");

        var post = await a.PostAsync(author, "Les réseaux de capteurs du #laboratoire sont installés", group.GroupId);
        var acknowledged = Stopwatch.StartNew();
        while (!(await searchB.SearchPostsAsync(new SearchPostsRequest { Query = "reseau capteur" }, As(reader))).Hits.Any(hit => hit.Post.PostId == post.PostId))
        {
            Assert.True(acknowledged.Elapsed < TimeSpan.FromSeconds(10), "The post acknowledged by the first silo was never found through the second.");
            await Task.Delay(20);
        }

        // The indexer looks every quarter of a second; the rest is slack for a loaded test machine.
        Assert.True(acknowledged.Elapsed < TimeSpan.FromSeconds(1), $"Found through the other silo after {acknowledged.Elapsed.TotalMilliseconds:F0} ms, more than a second.");

        // People and groups come from their grains, whichever silo ran them.
        Assert.Contains(author, (await searchB.SearchPeopleAsync(new SearchPeopleRequest { Query = "author" }, As(reader))).People.Select(p => p.User.UserId));
        Assert.Contains(group.GroupId, (await searchB.SearchGroupsAsync(new SearchGroupsRequest { Query = "observatoire" }, As(reader))).Groups.Select(g => g.GroupId));

        // An erasure run through the second silo reaches every copy in search.
        var admin = await CreateAdminAsync(b);
        await b.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = author, Confirm = true }, As(admin));
        await Eventually.TrueAsync(
            async () => (long)(await stores.SqlAsync($"SELECT count(*) FROM rse_search_content WHERE author_id = '{author}'"))! == 0
                && (long)(await stores.SqlAsync($"SELECT count(*) FROM rse_search_people WHERE user_id = '{author}'"))! == 0,
            "the erased author and their post to leave the search tables");
        Assert.Empty((await searchB.SearchPostsAsync(new SearchPostsRequest { Query = "capteurs" }, As(reader))).Hits);
        Assert.Empty((await searchB.SearchPeopleAsync(new SearchPeopleRequest { Query = author }, As(reader))).People);
    }

    [Fact]
    public async Task The_index_outlives_a_restart_and_an_admin_rebuilds_it_whole_from_the_log_and_the_owners()
    {
        var stores = await DurableStores.CreateAsync(servers, "search_restart");
        string author, group, kept, deleted;
        await using (var engine = await stores.StartEngineAsync("search-before", $"--Network:Admins:0={Admin}"))
        {
            var api = new EngineClient(engine.Channel);
            author = await api.CreateUserAsync("gardener");
            group = (await api.CreateGroupAsync(author, GroupVisibility.Open, name: "Jardin partagé")).GroupId;
            kept = (await api.PostAsync(author, "Premier jet sur les tomates", group)).PostId;
            await api.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = kept, Text = "Les tomates cerises sont mûres #potager" }, As(author));
            await api.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = kept, Text = "Gardez-moi des courgettes" }, As(author));
            deleted = (await api.PostAsync(author, "Les tomates vertes, à supprimer", group)).PostId;
            await api.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = deleted }, As(author));
            await Eventually.TrueAsync(
                async () => (long)(await stores.SqlAsync("SELECT count(*) FROM rse_search_pending"))! == 0,
                "the indexer to apply every activity");
        }

        await using var restarted = await stores.StartEngineAsync("search-after", $"--Network:Admins:0={Admin}");
        var client = new EngineClient(restarted.Channel);
        var search = new SearchClient(restarted.Channel);

        // Nothing written since the restart: what is found was kept in PostgreSQL.
        await AssertFoundAsync(search, author, group, kept, deleted);

        await stores.SqlAsync("TRUNCATE rse_search_topics, rse_search_content, rse_search_people, rse_search_groups");
        Assert.Empty((await search.SearchPostsAsync(new SearchPostsRequest { Query = "tomates" }, As(author))).Hits);
        Assert.Empty((await search.SearchPeopleAsync(new SearchPeopleRequest { Query = "gardener" }, As(author))).People);

        var admin = await CreateAdminAsync(client);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => search.RebuildSearchIndexAsync(new RebuildSearchIndexRequest(), As(author)));
        var rebuilt = await search.RebuildSearchIndexAsync(new RebuildSearchIndexRequest(), As(admin));
        Assert.True(rebuilt.People >= 2, $"{rebuilt.People} people rebuilt");
        Assert.Equal(1, rebuilt.Groups);
        Assert.True(rebuilt.Activities >= 5, $"{rebuilt.Activities} activities replayed");

        await AssertFoundAsync(search, author, group, kept, deleted);
    }

    [Fact]
    public async Task With_indexing_off_posts_are_written_and_read_and_only_queued_for_search_which_indexes_them_once_it_is_on_again()
    {
        var stores = await DurableStores.CreateAsync(servers, "search_indexing_off");
        string reader, post;
        await using (var engine = await stores.StartEngineAsync("search-indexing-off", "--Search:Indexing=false"))
        {
            var api = new EngineClient(engine.Channel);
            var author = await api.CreateUserAsync("composter");
            reader = await api.CreateUserAsync("reader");
            await api.FollowAsync(reader, author);
            post = (await api.PostAsync(author, "Le compost du jardin est prêt")).PostId;

            Assert.Empty(engine.Services.GetServices<IHostedService>().OfType<ActivitySearchIndexer>());
            Assert.Equal([post], (await api.HomeFeedAsync(reader)).Select(item => item.Post.PostId));
            Assert.Empty((await new SearchClient(engine.Channel).SearchPostsAsync(new SearchPostsRequest { Query = "compost" }, As(reader))).Hits);
            // The activity log's trigger still queues it, and the grain state's the people; nothing applied them.
            Assert.Equal(1L, await stores.SqlAsync("SELECT count(*) FROM rse_search_pending"));
            Assert.Equal(0L, await stores.SqlAsync("SELECT count(*) FROM rse_search_content"));
            Assert.Equal(0L, await stores.SqlAsync("SELECT count(*) FROM rse_search_people"));
        }

        await using var indexing = await stores.StartEngineAsync("search-indexing-on");
        var search = new SearchClient(indexing.Channel);
        await Eventually.TrueAsync(
            async () => (await search.SearchPostsAsync(new SearchPostsRequest { Query = "compost" }, As(reader))).Hits.Any(hit => hit.Post.PostId == post),
            "the post queued while indexing was off to be found once it is on");
        // The people too: their grains' writes were queued beside the activities.
        await Eventually.TrueAsync(
            async () => (await search.SearchPeopleAsync(new SearchPeopleRequest { Query = "composter" }, As(reader))).People.Count == 1,
            "the author created while indexing was off to be found once it is on");
    }

    [Fact]
    public async Task A_profile_changed_and_a_group_created_while_the_index_is_away_are_found_after_a_restart_without_a_further_change()
    {
        var stores = await DurableStores.CreateAsync(servers, "search_owners_away");
        string person;
        await using (var engine = await stores.StartEngineAsync("search-owners-before"))
        {
            var api = new EngineClient(engine.Channel);
            person = await api.CreateUserAsync("stargazer");
            await Eventually.TrueAsync(
                async () => (long)(await stores.SqlAsync($"SELECT count(*) FROM rse_search_people WHERE user_id = '{person}'"))! == 1,
                "the new person to be indexed");

            // The index away while the grains still store their changes: its tables cannot be written.
            await stores.SqlAsync("ALTER TABLE rse_search_people RENAME TO rse_search_people_away; ALTER TABLE rse_search_groups RENAME TO rse_search_groups_away");
            await api.Users.UpdateUserAsync(
                new UpdateUserRequest { RequestId = NewRequestId(), Profile = new Profile { Title = "Astronome amateur" }, UpdateMask = new FieldMask { Paths = { "title" } } },
                As(person));
            await api.CreateGroupAsync(person, GroupVisibility.Open, name: "Club des étoiles filantes");
        }

        // The process stopped before either reached the index.
        await stores.SqlAsync("ALTER TABLE rse_search_people_away RENAME TO rse_search_people; ALTER TABLE rse_search_groups_away RENAME TO rse_search_groups");
        Assert.Equal("engineer", await stores.SqlAsync($"SELECT title FROM rse_search_people WHERE user_id = '{person}'"));
        Assert.Equal(0L, await stores.SqlAsync("SELECT count(*) FROM rse_search_groups"));

        await using var restarted = await stores.StartEngineAsync("search-owners-after");
        var search = new SearchClient(restarted.Channel);
        await Eventually.TrueAsync(
            async () => (await search.SearchPeopleAsync(new SearchPeopleRequest { Query = "astronome" }, As(person))).People.Any(p => p.User.UserId == person)
                && (await search.SearchGroupsAsync(new SearchGroupsRequest { Query = "etoiles filantes" }, As(person))).Groups.Count == 1,
            "the changed profile and the new group to be found after the restart");
        await Eventually.TrueAsync(
            async () => (long)(await stores.SqlAsync("SELECT count(*) FROM rse_search_owners_pending"))! == 0,
            "the queue of people and groups to be emptied");
    }

    /// <summary>The edited text, not the first one; the comment with its post; the deleted post never; the person, the group and the topic.</summary>
    private static async Task AssertFoundAsync(SearchClient search, string author, string group, string kept, string deleted)
    {
        var hits = (await search.SearchPostsAsync(new SearchPostsRequest { Query = "tomates" }, As(author))).Hits;
        var hit = Assert.Single(hits);
        Assert.Equal(kept, hit.Post.PostId);
        Assert.Contains("«tomates»", hit.Highlight, StringComparison.Ordinal);
        Assert.Empty((await search.SearchPostsAsync(new SearchPostsRequest { Query = "jet" }, As(author))).Hits);
        Assert.Equal(kept, Assert.Single((await search.SearchPostsAsync(new SearchPostsRequest { Query = "courgette" }, As(author))).Hits).Post.PostId);
        Assert.DoesNotContain((await search.SearchPostsAsync(new SearchPostsRequest { Query = "vertes" }, As(author))).Hits, h => h.Post.PostId == deleted);
        Assert.Equal([author], (await search.SearchPeopleAsync(new SearchPeopleRequest { Query = "gardener" }, As(author))).People.Select(p => p.User.UserId));
        Assert.Equal([group], (await search.SearchGroupsAsync(new SearchGroupsRequest { Query = "jardin" }, As(author))).Groups.Select(g => g.GroupId));
        Assert.Contains((await search.SuggestAsync(new SuggestRequest { Prefix = "#pota" }, As(author))).Suggestions, s => s.Kind == SuggestionKind.Topic);
    }

    private static async Task<string> CreateAdminAsync(EngineClient api)
    {
        await api.Users.CreateUserAsync(new CreateUserRequest
        {
            RequestId = "create-search-admin",
            UserId = Admin,
            Profile = new Profile { DisplayName = "Search Admin", TimeZone = "Europe/Paris", Language = "fr-FR" },
        });
        return Admin;
    }
}
