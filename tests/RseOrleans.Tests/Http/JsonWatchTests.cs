using System.Net;
using System.Text.Json.Nodes;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Http;

/// <summary>
/// The live streams over plain HTTP: newline-delimited JSON, one message a line, each line sent as
/// it happens, over HTTP/1.1 (chunked) and HTTP/2.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class JsonWatchTests(EngineFixture engine)
{
    public static TheoryData<string> Versions => ["1.1", "2"];

    private JsonApi Api(string version) => version == "2" ? JsonApi.Http2(engine.Address) : JsonApi.Http11(engine.Http1Address);

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task WatchFeed_streams_each_new_post_as_one_JSON_line(string version)
    {
        using var api = Api(version);
        var reader = await engine.CreateUserAsync("reader");
        var author = await engine.CreateUserAsync("author");
        await engine.FollowAsync(reader, author);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var watch = await api.OpenAsync("/v1/feeds/home:watch", reader, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        // The headers say the watch is registered: nothing posted from now on can be missed.
        Assert.Equal("live", Assert.Single(watch.Headers.GetValues("x-rse-watch")));
        using var lines = new StreamReader(await watch.Content.ReadAsStreamAsync(timeout.Token));

        await engine.PostAsync(author, "first live");
        var first = await NextLineAsync(lines, timeout.Token);
        await engine.PostAsync(author, "second live");
        var second = await NextLineAsync(lines, timeout.Token);

        Assert.Equal("first live", first["post"]!["text"]!.GetValue<string>());
        Assert.Equal("second live", second["post"]!["text"]!.GetValue<string>());

        // Resuming from the first cursor replays what came after it.
        using var resumed = await api.OpenAsync($"/v1/feeds/home:watch?cursor={Uri.EscapeDataString(first["cursor"]!.GetValue<string>())}", reader, timeout.Token);
        using var replay = new StreamReader(await resumed.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal("second live", (await NextLineAsync(replay, timeout.Token))["post"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task WatchNotifications_streams_the_unread_count_and_each_new_group_as_JSON_lines()
    {
        using var api = JsonApi.Http11(engine.Http1Address);
        var author = await engine.CreateUserAsync("author");
        var fan = await engine.CreateUserAsync("fan");
        var post = await engine.PostAsync(author, "react to me");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var watch = await api.OpenAsync("/v1/notifications:watch", author, timeout.Token);
        using var lines = new StreamReader(await watch.Content.ReadAsStreamAsync(timeout.Token));
        await engine.Posts.AddReactionAsync(new() { RequestId = NewRequestId(), PostId = post.PostId, Type = RseOrleans.Api.V1.ReactionType.Like }, As(fan));

        var updates = new List<JsonNode>();
        while (!updates.Any(update => update["group"]?["kind"]?.GetValue<string>() == "NOTIFICATION_KIND_REACTION_TO_POST"))
        {
            updates.Add(await NextLineAsync(lines, timeout.Token));
        }

        Assert.Contains(updates, update => update["unread"] is not null);
        Assert.All(updates, update => Assert.False(string.IsNullOrEmpty(update["cursor"]?.GetValue<string>())));
    }

    [Fact]
    public async Task A_watch_refused_before_it_starts_answers_its_status_as_JSON()
    {
        using var api = JsonApi.Http11(engine.Http1Address);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var watch = await api.OpenAsync("/v1/feeds/home:watch", caller: null, timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, watch.StatusCode);
        var status = JsonNode.Parse(await watch.Content.ReadAsStringAsync(timeout.Token))!;
        Assert.Equal(16, status["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_watch_that_ends_after_it_started_says_why_in_a_last_status_line()
    {
        using var api = JsonApi.Http11(engine.Http1Address);
        var admin = await engine.NetworkAdminAsync();
        var watcher = await engine.CreateUserAsync("watcher");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = await api.OpenAsync("/v1/feeds/home:watch", watcher, timeout.Token);
        using var lines = new StreamReader(await watch.Content.ReadAsStreamAsync(timeout.Token));
        await engine.PostAsync(watcher, "my own post");
        Assert.Equal("my own post", (await NextLineAsync(lines, timeout.Token))["post"]!["text"]!.GetValue<string>());

        var deactivated = await api.PostAsync($"/v1/accounts/{watcher}:deactivate", admin, new { request_id = NewRequestId() });
        Assert.Equal(HttpStatusCode.OK, deactivated.Status);

        var last = await NextLineAsync(lines, timeout.Token);
        Assert.Equal(7, last["code"]!.GetValue<int>());
        Assert.Equal($"The account '{watcher}' was deactivated; this watch has ended.", last["message"]!.GetValue<string>());
        Assert.Null(await lines.ReadLineAsync(timeout.Token));
    }

    /// <summary>The next line of the stream, which must be one whole JSON object.</summary>
    private static async Task<JsonNode> NextLineAsync(StreamReader lines, CancellationToken cancellation)
    {
        var line = await lines.ReadLineAsync(cancellation);
        Assert.NotNull(line);
        return Assert.IsType<JsonObject>(JsonNode.Parse(line));
    }
}
