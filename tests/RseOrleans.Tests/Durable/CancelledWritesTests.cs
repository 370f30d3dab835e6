using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>Writes that reach their deadline while PostgreSQL hangs, all on one HTTP/2 connection.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class CancelledWritesTests(DatabaseServersFixture servers)
{
    private const int Authors = 20;

    private const int WritesEach = 15;

    [Fact]
    public async Task A_burst_of_writes_cancelled_while_PostgreSQL_hangs_leaves_the_connection_and_a_watch_working_and_each_write_done_once()
    {
        var stores = await DurableStores.CreateAsync(servers, "cancelledwrites");
        // A short lease, so that the retries below need not wait long for writes whose outcome is unknown.
        await using var engine = await stores.StartEngineAsync("cancelledwrites", "--Idempotency:Lease=00:00:05");
        var api = new EngineClient(engine.Channel);
        var reader = await api.CreateUserAsync("reader");
        var authors = new List<string>();
        for (var i = 0; i < Authors; i++)
        {
            var author = await api.CreateUserAsync("author");
            await api.FollowAsync(reader, author);
            authors.Add(author);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var watch = api.Feeds.WatchFeed(new WatchFeedRequest(), As(reader), cancellationToken: timeout.Token);
        await watch.ResponseHeadersAsync;
        var writes = authors.ToDictionary(
            author => author,
            author => Enumerable.Range(0, WritesEach).Select(i => new CreatePostRequest { RequestId = NewRequestId(), Text = $"{author} #{i}" }).ToList());

        // Each author sends its posts one after another with a 100 ms deadline: within a second or
        // two the client resets 300 streams on its one connection while the engine still waits for
        // the hung server.
        servers.Postgres.Freeze();
        List<RpcException> burst;
        try
        {
            burst = (await Task.WhenAll(authors.Select(async author =>
            {
                var failures = new List<RpcException>();
                foreach (var request in writes[author])
                {
                    try
                    {
                        await api.Posts.CreatePostAsync(request, As(author), deadline: DateTime.UtcNow.AddMilliseconds(100));
                    }
                    catch (RpcException failed)
                    {
                        failures.Add(failed);
                    }
                }

                return failures;
            }))).SelectMany(failures => failures).ToList();
        }
        finally
        {
            servers.Postgres.Thaw();
        }

        // Each write ran out of time or was refused by the engine (the store is down, retry): none
        // was refused for resetting too many streams, none lost its connection.
        Assert.Equal(Authors * WritesEach, burst.Count);
        var unexpected = burst.Where(failure => failure.StatusCode != StatusCode.DeadlineExceeded
            && !(failure.StatusCode == StatusCode.Unavailable && failure.Status.Detail.Contains("retry", StringComparison.Ordinal))).ToList();
        Assert.True(unexpected.Count == 0, string.Join(Environment.NewLine, unexpected.Select(failure => failure.Status.ToString()).Distinct()));

        // Every write retried with its request id takes effect, on the same connection; a second
        // retry answers the same post.
        foreach (var (author, requests) in writes)
        {
            foreach (var request in requests)
            {
                var created = await RetryUntilServedAsync(() => api.Posts.CreatePostAsync(request, As(author), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
                var replayed = await api.Posts.CreatePostAsync(request, As(author));
                Assert.Equal(created.PostId, replayed.PostId);
            }
        }

        // The watch lived through it all, and each post exists exactly once.
        Assert.StartsWith(authors[0], (await NextAsync(watch, timeout.Token)).Post.Text, StringComparison.Ordinal);
        foreach (var (author, requests) in writes)
        {
            var posts = await api.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = author, PageSize = 100 }, As(reader));
            Assert.Equal(
                requests.Select(request => request.Text).Order(StringComparer.Ordinal),
                posts.Items.Select(item => item.Post.Text).Order(StringComparer.Ordinal));
        }
    }

    /// <summary>Retries while the engine answers UNAVAILABLE (the breaker has not seen PostgreSQL back, or an outcome is not known yet).</summary>
    private static async Task<T> RetryUntilServedAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException unavailable) when (unavailable.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }
}
