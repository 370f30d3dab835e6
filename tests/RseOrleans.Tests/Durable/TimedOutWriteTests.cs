using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>
/// A write already sent to PostgreSQL when the server hangs times out, and its caller is told to
/// retry with the same request id; the hung server commits it when it resumes. The retry must
/// find what the first call created, not create it a second time.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class TimedOutWriteTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Posts_and_comments_that_timed_out_on_a_hung_PostgreSQL_and_are_retried_with_their_request_ids_are_created_once()
    {
        var stores = await DurableStores.CreateAsync(servers, "timedoutwrite");
        // A short lease: the retries below come long after it, so the ledger alone would run them again.
        await using var engine = await stores.StartEngineAsync("timedoutwrite", "--Idempotency:Lease=00:00:05");
        var api = new EngineClient(engine.Channel);
        var authors = new List<string>();
        var threads = new Dictionary<string, string>();
        for (var i = 0; i < 20; i++)
        {
            var author = await api.CreateUserAsync("author");
            authors.Add(author);
            threads[author] = (await api.PostAsync(author, "thread")).PostId;
        }

        var posts = authors.ToDictionary(
            author => author,
            author => Enumerable.Range(0, 20).Select(i => new CreatePostRequest { RequestId = NewRequestId(), Text = $"{author} post {i}" }).ToList());
        var comments = authors.ToDictionary(
            author => author,
            author => Enumerable.Range(0, 20).Select(i => new CreateCommentRequest { RequestId = NewRequestId(), PostId = threads[author], Text = $"{author} comment {i}" }).ToList());

        // Writes on their way to PostgreSQL when it hangs, for longer than a command's timeout.
        var burst = Task.WhenAll(authors.Select(author => WriteAllAsync(api, author, posts[author], comments[author], retryFor: TimeSpan.Zero)));
        await Task.Delay(300);
        servers.Postgres.Freeze();
        await Task.Delay(TimeSpan.FromSeconds(12));
        servers.Postgres.Thaw();
        await burst;

        await Task.WhenAll(authors.Select(author => WriteAllAsync(api, author, posts[author], comments[author], retryFor: TimeSpan.FromSeconds(60))));

        foreach (var author in authors)
        {
            var listed = await api.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = author, PageSize = 100 }, As(author));
            Assert.Equal(
                posts[author].Select(request => request.Text).Append("thread").Order(StringComparer.Ordinal),
                listed.Items.Select(item => item.Post.Text).Order(StringComparer.Ordinal));

            var thread = await api.Posts.ListCommentsAsync(new ListCommentsRequest { PostId = threads[author], PageSize = 100 }, As(author));
            Assert.Equal(
                comments[author].Select(request => request.Text).Order(StringComparer.Ordinal),
                thread.Comments.Select(comment => comment.Text).Order(StringComparer.Ordinal));
        }
    }

    /// <summary>Each write once, in order, retried (same request) while the engine says it may not have been done.</summary>
    private static async Task WriteAllAsync(
        EngineClient api, string author, List<CreatePostRequest> posts, List<CreateCommentRequest> comments, TimeSpan retryFor)
    {
        for (var i = 0; i < posts.Count; i++)
        {
            await UntilAnsweredAsync(() => api.Posts.CreatePostAsync(posts[i], As(author), deadline: DateTime.UtcNow.AddSeconds(3)).ResponseAsync, retryFor);
            await UntilAnsweredAsync(() => api.Posts.CreateCommentAsync(comments[i], As(author), deadline: DateTime.UtcNow.AddSeconds(3)).ResponseAsync, retryFor);
        }
    }

    private static async Task UntilAnsweredAsync(Func<Task> call, TimeSpan retryFor)
    {
        var until = DateTime.UtcNow + retryFor;
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (RpcException failure) when (failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted)
            {
                if (DateTime.UtcNow >= until)
                {
                    // The first pass moves on; the retries must end answered.
                    if (retryFor > TimeSpan.Zero)
                    {
                        throw;
                    }

                    return;
                }

                await Task.Delay(500);
            }
        }
    }
}
