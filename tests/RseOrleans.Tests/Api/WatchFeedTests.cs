using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

[Collection(EngineCollection.Name)]
public sealed class WatchFeedTests(EngineFixture engine)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_watcher_first_receives_what_it_missed_then_new_posts_as_they_arrive()
    {
        var (reader, author) = await ReaderFollowingAuthorAsync();
        await engine.PostAsync(author, "seen before");
        var missed = await engine.PostAsync(author, "missed");
        var held = (await engine.HomeFeedAsync(reader)).Single(i => i.Post.Text == "seen before");

        using var timeout = new CancellationTokenSource(Patience);
        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest { Cursor = held.Cursor }, As(reader), cancellationToken: timeout.Token);

        Assert.Equal(missed.PostId, (await NextAsync(watch, timeout.Token)).Post.PostId);
        var live = await engine.PostAsync(author, "live");
        var received = await NextAsync(watch, timeout.Token);
        Assert.Equal(live.PostId, received.Post.PostId);
        Assert.Equal("Author", received.Post.AuthorDisplayName[..6]);
    }

    [Fact]
    public async Task The_switch_from_replay_to_live_has_no_gap_and_no_duplicate_while_posts_keep_coming()
    {
        var (reader, author) = await ReaderFollowingAuthorAsync();
        var second = await engine.CreateUserAsync("author");
        await engine.FollowAsync(reader, second);
        await engine.PostAsync(author, "start");
        var start = (await engine.HomeFeedAsync(reader)).Single();

        const int PerAuthor = 20;
        var posting = Task.WhenAll(new[] { author, second }.Select(async poster =>
        {
            for (var i = 0; i < PerAuthor; i++)
            {
                await engine.PostAsync(poster, $"burst {i}");
            }
        }));

        using var timeout = new CancellationTokenSource(Patience);
        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest { Cursor = start.Cursor }, As(reader), cancellationToken: timeout.Token);
        var received = new List<FeedItem>();
        while (received.Count < 2 * PerAuthor)
        {
            received.Add(await NextAsync(watch, timeout.Token));
        }

        await posting;
        var feedOrder = (await engine.HomeFeedAsync(reader)).Select(i => i.Post.PostId).Reverse().Skip(1).ToList();
        Assert.Equal(feedOrder, received.Select(i => i.Post.PostId));
        Assert.Equal(received.Count, received.Select(i => i.Cursor).Distinct().Count());
    }

    [Fact]
    public async Task A_client_that_reconnects_with_its_last_cursor_resumes_exactly_where_it_left()
    {
        var (reader, author) = await ReaderFollowingAuthorAsync();
        string lastCursor;
        using (var firstTimeout = new CancellationTokenSource(Patience))
        using (var first = engine.Feeds.WatchFeed(new WatchFeedRequest(), As(reader), cancellationToken: firstTimeout.Token))
        {
            // An empty cursor means "from now on": the response headers mark that moment.
            var headers = await first.ResponseHeadersAsync;
            Assert.Equal("live", headers.GetValue("x-rse-watch"));
            await engine.PostAsync(author, "while connected");
            var item = await NextAsync(first, firstTimeout.Token);
            Assert.Equal("while connected", item.Post.Text);
            lastCursor = item.Cursor;
        }

        var whileAway = new[] { await engine.PostAsync(author, "away 1"), await engine.PostAsync(author, "away 2") };

        using var timeout = new CancellationTokenSource(Patience);
        using var second = engine.Feeds.WatchFeed(new WatchFeedRequest { Cursor = lastCursor }, As(reader), cancellationToken: timeout.Token);
        Assert.Equal(whileAway[0].PostId, (await NextAsync(second, timeout.Token)).Post.PostId);
        Assert.Equal(whileAway[1].PostId, (await NextAsync(second, timeout.Token)).Post.PostId);
        var after = await engine.PostAsync(author, "after reconnect");
        Assert.Equal(after.PostId, (await NextAsync(second, timeout.Token)).Post.PostId);
    }

    [Fact]
    public async Task A_watch_needs_a_caller_and_a_cursor_it_issued()
    {
        var reader = await engine.CreateUserAsync("reader");

        await AssertWatchFails(StatusCode.Unauthenticated, new WatchFeedRequest(), new Metadata());
        var detail = await AssertWatchFails(StatusCode.InvalidArgument, new WatchFeedRequest { Cursor = "not-a-cursor" }, As(reader));
        Assert.Contains("cursor", detail, StringComparison.Ordinal);
    }

    private async Task<string> AssertWatchFails(StatusCode code, WatchFeedRequest request, Metadata headers)
    {
        using var timeout = new CancellationTokenSource(Patience);
        using var watch = engine.Feeds.WatchFeed(request, headers, cancellationToken: timeout.Token);
        var error = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(code, error.StatusCode);
        return error.Status.Detail;
    }

    private async Task<(string Reader, string Author)> ReaderFollowingAuthorAsync()
    {
        var reader = await engine.CreateUserAsync("reader");
        var author = await engine.CreateUserAsync("author");
        await engine.FollowAsync(reader, author);
        return (reader, author);
    }
}
