using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.Search;
using RseOrleans.Api.V1;
using RseOrleans.Search;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;
using SearchClient = RseOrleans.Api.V1.Search.SearchClient;

namespace RseOrleans.Tests.Search;

/// <summary>
/// <c>Search:Indexing=false</c>: the engine runs without feeding its index (to measure what
/// indexing costs, or for a deployment without search); posting and reading work as before, and
/// searches answer from what the index holds.
/// </summary>
public sealed class SearchIndexingOffTests : IAsyncLifetime
{
    private RunningEngine engine = null!;

    public async Task InitializeAsync() =>
        engine = await RunningEngine.StartAsync("search-indexing-off", "--Search:Indexing=false", "--Limits:WritesPerMinute=0");

    public async Task DisposeAsync() => await engine.DisposeAsync();

    [Fact]
    public async Task With_indexing_off_posts_are_written_and_read_but_search_finds_only_what_was_put_in_the_index()
    {
        var client = new EngineClient(engine.Channel);
        var search = new SearchClient(engine.Channel);
        var author = await client.CreateUserAsync("author");
        var reader = await client.CreateUserAsync("reader");
        await client.FollowAsync(reader, author);
        var word = $"w{Guid.NewGuid():N}"[..10] + "7";

        var unindexed = await client.PostAsync(author, $"Nobody indexes {word}");
        var indexedByHand = await client.PostAsync(author, $"Indexed by hand {word}");
        // What an index filled before (or rebuilt) would hold: the engine still searches it.
        await engine.Services.GetRequiredService<ISearchIndex>().IndexPostAsync(new IndexedPost(
            long.Parse(indexedByHand.PostId, System.Globalization.CultureInfo.InvariantCulture), author, null, indexedByHand.Text, DateTimeOffset.UtcNow, "en", [], []));

        Assert.Null(engine.Services.GetService<SearchIndexFeeder>());
        Assert.Equal(
            [indexedByHand.PostId, unindexed.PostId],
            (await client.HomeFeedAsync(reader)).Select(item => item.Post.PostId));
        var hits = (await search.SearchPostsAsync(new SearchPostsRequest { Query = word }, As(reader))).Hits;
        Assert.Equal([indexedByHand.PostId], hits.Select(hit => hit.Post.PostId));
    }
}
