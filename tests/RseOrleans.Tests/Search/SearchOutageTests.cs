using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RseOrleans.Api.V1;
using RseOrleans.Search;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;
using SearchClient = RseOrleans.Api.V1.Search.SearchClient;

namespace RseOrleans.Tests.Search;

/// <summary>
/// The embedded engine behind a switch: while it is off, every call says the index is away, as a
/// remote engine that cannot be reached would.
/// </summary>
public sealed class SwitchableSearchIndex(ISearchIndex inner) : ISearchIndex
{
    private volatile bool away;

    public bool Away
    {
        get => away;
        set => away = value;
    }

    private ISearchIndex Target => Away ? throw new SearchUnavailableException("The test switched the index off.") : inner;

    public Task IndexPostAsync(IndexedPost post, CancellationToken cancellationToken = default) => Target.IndexPostAsync(post, cancellationToken);

    public Task IndexCommentAsync(IndexedComment comment, CancellationToken cancellationToken = default) => Target.IndexCommentAsync(comment, cancellationToken);

    public Task RemovePostAsync(long postId, CancellationToken cancellationToken = default) => Target.RemovePostAsync(postId, cancellationToken);

    public Task RemoveCommentAsync(long postId, long commentId, CancellationToken cancellationToken = default) => Target.RemoveCommentAsync(postId, commentId, cancellationToken);

    public Task IndexPersonAsync(IndexedPerson person, CancellationToken cancellationToken = default) => Target.IndexPersonAsync(person, cancellationToken);

    public Task RemovePersonAndContentAsync(string userId, CancellationToken cancellationToken = default) => Target.RemovePersonAndContentAsync(userId, cancellationToken);

    public Task IndexGroupAsync(IndexedGroup group, CancellationToken cancellationToken = default) => Target.IndexGroupAsync(group, cancellationToken);

    public Task<IReadOnlyList<ContentHit>> SearchContentAsync(ContentQuery query, int limit, CancellationToken cancellationToken = default) => Target.SearchContentAsync(query, limit, cancellationToken);

    public Task<IReadOnlyList<ContentHit>> HighlightAsync(ContentQuery query, IReadOnlyList<ContentHit> hits, CancellationToken cancellationToken = default) => Target.HighlightAsync(query, hits, cancellationToken);

    public Task<IReadOnlyList<string>> SearchPeopleAsync(PeopleQuery query, int limit, CancellationToken cancellationToken = default) => Target.SearchPeopleAsync(query, limit, cancellationToken);

    public Task<IReadOnlyList<string>> SearchGroupsAsync(GroupQuery query, int limit, CancellationToken cancellationToken = default) => Target.SearchGroupsAsync(query, limit, cancellationToken);

    public Task<IReadOnlyList<IndexSuggestion>> SuggestAsync(string prefix, int limit, CancellationToken cancellationToken = default) => Target.SuggestAsync(prefix, limit, cancellationToken);
}

/// <summary>Degraded, not broken: with the index away, searches say so at once, and nothing written meanwhile is lost.</summary>
public sealed class SearchOutageTests : IAsyncLifetime
{
    private readonly SwitchableSearchIndex index = new(new LuceneSearchIndex());
    private RunningEngine engine = null!;

    public async Task InitializeAsync() =>
        engine = await RunningEngine.StartAsync(
            "search-outage",
            builder => builder.Services.Replace(ServiceDescriptor.Singleton<ISearchIndex>(index)),
            "--Limits:WritesPerMinute=0");

    public async Task DisposeAsync() => await engine.DisposeAsync();

    [Fact]
    public async Task With_the_index_away_searches_answer_unavailable_at_once_lookups_by_id_work_and_the_index_catches_up_when_back()
    {
        var client = new EngineClient(engine.Channel);
        var search = new SearchClient(engine.Channel);
        var author = await client.CreateUserAsync("author");
        var group = await client.CreateGroupAsync(author, GroupVisibility.Open, name: "Catch-up club");

        index.Away = true;
        var post = await client.PostAsync(author, "Written while the index was away");
        var detail = await RpcAssert.FailsWith(StatusCode.Unavailable, () => search.SearchPostsAsync(new SearchPostsRequest { Query = "away" }, As(author)));
        Assert.Contains("Search is unavailable", detail, StringComparison.Ordinal);
        await RpcAssert.FailsWith(StatusCode.Unavailable, () => search.SuggestAsync(new SuggestRequest { Prefix = "cat" }, As(author)));
        await RpcAssert.FailsWith(StatusCode.Unavailable, () => search.SearchPeopleAsync(new SearchPeopleRequest { Query = "author" }, As(author)));
        await RpcAssert.FailsWith(StatusCode.Unavailable, () => search.SearchGroupsAsync(new SearchGroupsRequest { Query = "club" }, As(author)));
        Assert.Equal(author, (await client.Users.GetUserAsync(new GetUserRequest { UserId = author }, As(author))).UserId);
        Assert.Equal(group.GroupId, (await client.Groups.GetGroupAsync(new GetGroupRequest { GroupId = group.GroupId }, As(author))).GroupId);

        index.Away = false;
        await Eventually.TrueAsync(
            async () => (await search.SearchPostsAsync(new SearchPostsRequest { Query = "away" }, As(author))).Hits.Any(hit => hit.Post.PostId == post.PostId),
            "the post written while the index was away to be found");
        Assert.Contains(
            (await search.SearchGroupsAsync(new SearchGroupsRequest { Query = "catch" }, As(author))).Groups,
            g => g.GroupId == group.GroupId);
    }
}
