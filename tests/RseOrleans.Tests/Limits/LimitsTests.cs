using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Limits;

public sealed class WriteRateLimitTests(LimitedWritesEngineFixture engine) : IClassFixture<LimitedWritesEngineFixture>
{
    [Fact]
    public async Task A_user_who_writes_too_fast_is_told_when_to_retry_and_loses_nothing_already_accepted()
    {
        var writer = await engine.CreateUserAsync("writer");
        var accepted = new List<string>();
        for (var i = 0; i < LimitedWritesEngineFixture.Burst; i++)
        {
            accepted.Add((await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = $"Post {i}" }, As(writer))).PostId);
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => engine.Posts.CreatePostAsync(
            new CreatePostRequest { RequestId = NewRequestId(), Text = "One too many" }, As(writer)).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("same request_id", refused.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(refused.Trailers.GetValue("retry-after"));
        var feed = await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), As(writer));
        Assert.Equal(accepted.AsEnumerable().Reverse(), feed.Items.Select(item => item.Post.PostId));
    }

    [Fact]
    public async Task The_limit_is_per_user_and_reads_are_not_counted()
    {
        var busy = await engine.CreateUserAsync("busy");
        var calm = await engine.CreateUserAsync("calm");
        for (var i = 0; i < LimitedWritesEngineFixture.Burst; i++)
        {
            await engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = $"Post {i}" }, As(busy));
        }

        for (var i = 0; i < 10; i++)
        {
            await engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), As(busy));
        }

        await RpcAssert.FailsWith(StatusCode.ResourceExhausted, () => engine.Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = calm }, As(busy)));
        Assert.True((await engine.Users.FollowUserAsync(new FollowUserRequest { RequestId = NewRequestId(), UserId = busy }, As(calm))).Changed);
    }
}

[Collection(EngineCollection.Name)]
public sealed class RequestSizeTests(EngineFixture engine)
{
    [Fact]
    public async Task A_request_over_one_mebibyte_is_refused_naming_its_size_and_the_limit()
    {
        var caller = await engine.CreateUserAsync("caller");
        var text = new string('x', 2 * 1024 * 1024);
        var size = new CreatePostRequest { RequestId = NewRequestId(), Text = text }.CalculateSize();

        var detail = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, () => engine.Posts.CreatePostAsync(
            new CreatePostRequest { RequestId = NewRequestId(), Text = text }, As(caller)));

        Assert.Contains($"{size:N0} bytes", detail, StringComparison.Ordinal);
        Assert.Contains("the limit is 1,048,576 bytes", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_headers_refuse_that_call_alone_and_a_watch_on_the_same_connection_goes_on()
    {
        var (reader, author) = (await engine.CreateUserAsync("reader"), await engine.CreateUserAsync("author"));
        await engine.FollowAsync(reader, author);
        await engine.PostAsync(author, "start");
        var start = (await engine.HomeFeedAsync(reader)).Single();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = engine.Feeds.WatchFeed(new WatchFeedRequest { Cursor = start.Cursor }, As(reader), cancellationToken: timeout.Token);
        await engine.PostAsync(author, "before");
        Assert.Equal("before", (await NextAsync(watch, timeout.Token)).Post.Text);

        var headers = As(reader);
        headers.Add("x-padding", new string('p', 40 * 1024));
        var detail = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, () =>
            engine.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest(), headers));

        Assert.Contains("the limit is 32,768 bytes", detail, StringComparison.Ordinal);
        await engine.PostAsync(author, "after");
        Assert.Equal("after", (await NextAsync(watch, timeout.Token)).Post.Text);
        Assert.Equal(3, (await engine.HomeFeedAsync(reader)).Count);
    }
}
