using System.Net;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Http;

/// <summary>
/// Every rse.v1 service answers JSON over HTTP, as curl, a browser or a low-code tool calls it: the
/// paths of the protos' google.api.http annotations, over HTTP/1.1 (its own port) and over
/// cleartext HTTP/2 with prior knowledge (the gRPC port), with the same identity, validation and
/// statuses as gRPC.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class JsonApiTests(EngineFixture engine)
{
    public static TheoryData<string> Versions => ["1.1", "2"];

    /// <summary>HTTP/1.1 on its own port; HTTP/2 with prior knowledge on the gRPC port.</summary>
    private JsonApi Api(string version) => version == "2" ? JsonApi.Http2(engine.Address) : JsonApi.Http11(engine.Http1Address);

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Every_service_answers_JSON_on_its_resource_paths(string version)
    {
        using var api = Api(version);
        var alice = $"alice-{Guid.NewGuid():N}"[..18];
        var bob = await engine.CreateUserAsync("bob");

        // Users: created with a client-chosen id, read back by its path.
        var created = await api.PostAsync("/v1/users", caller: null, new { request_id = NewRequestId(), user_id = alice, profile = new { display_name = "Alice", time_zone = "Europe/Paris", language = "fr-FR" } });
        Assert.True(created.Status == HttpStatusCode.OK, created.ToString());
        Assert.Equal(version == "2" ? HttpVersion.Version20 : HttpVersion.Version11, created.Version);
        var read = await api.GetAsync($"/v1/users/{alice}", bob);
        Assert.Equal("Alice", read.Body!["profile"]!["displayName"]!.GetValue<string>());

        // Groups, and a post into one by the group's posts collection.
        var group = await api.PostAsync("/v1/groups", alice, new { request_id = NewRequestId(), name = "JSON club", visibility = "GROUP_VISIBILITY_OPEN" });
        var groupId = group.Text("groupId");
        Assert.Equal("JSON club", (await api.GetAsync($"/v1/groups/{groupId}", bob)).Text("name"));
        var post = await api.PostAsync($"/v1/groups/{groupId}/posts", alice, new { request_id = NewRequestId(), text = "Hello over HTTP #json" });
        Assert.True(post.Status == HttpStatusCode.OK, post.ToString());
        var postId = post.Text("postId");
        Assert.Equal(groupId, (await api.GetAsync($"/v1/posts/{postId}", bob)).Text("groupId"));

        // Feeds: the group's posts, and the home feed of a member, paged by a query parameter.
        Assert.Equal(postId, (await api.GetAsync($"/v1/groups/{groupId}/posts", bob)).Body!["items"]![0]!["post"]!["postId"]!.GetValue<string>());
        var home = await api.GetAsync("/v1/feeds/home?page_size=20", alice);
        Assert.Equal(postId, home.Body!["items"]![0]!["post"]!["postId"]!.GetValue<string>());

        // Admin: the caller's own account.
        Assert.Equal("ACCOUNT_STATUS_ACTIVE", (await api.GetAsync($"/v1/accounts/{alice}", alice)).Text("status"));

        // Topics: a custom verb on a topic, then the caller's followed topics.
        var followed = await api.PostAsync("/v1/topics/JSON:follow", bob, new { request_id = NewRequestId() });
        Assert.Equal("json", followed.Text("topic"));
        Assert.Contains("json", (await api.GetAsync("/v1/followedTopics", bob)).Body!["topics"]!.AsArray().Select(topic => topic!.GetValue<string>()));

        // Notifications: bob's reaction tells alice.
        var reacted = await api.PostAsync($"/v1/posts/{postId}/reactions", bob, new { request_id = NewRequestId(), type = "REACTION_TYPE_CELEBRATE" });
        Assert.True(reacted.Status == HttpStatusCode.OK, reacted.ToString());
        await Eventually.TrueAsync(async () => (await api.GetAsync("/v1/notifications:unreadCount", alice)).Text("notifications") == "1", "alice's unread count over JSON");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_bad_request_answers_400_with_a_JSON_status_naming_the_field(string version)
    {
        using var api = Api(version);
        var author = await engine.CreateUserAsync("author");

        var empty = await api.PostAsync("/v1/posts", author, new { request_id = NewRequestId(), text = "" });
        Assert.True(empty.Status == HttpStatusCode.BadRequest, empty.ToString());
        Assert.Equal(3, empty.Code);
        Assert.StartsWith("text:", empty.Message, StringComparison.Ordinal);

        var badId = await api.GetAsync("/v1/users/Not%20An%20Id", author);
        Assert.True(badId.Status == HttpStatusCode.BadRequest, badId.ToString());
        Assert.StartsWith("user_id:", badId.Message, StringComparison.Ordinal);

        var notJson = await api.PostAsync("/v1/posts", author, "{ this is not json");
        Assert.True(notJson.Status == HttpStatusCode.BadRequest, notJson.ToString());
        Assert.Equal(3, notJson.Code);
        Assert.False(string.IsNullOrWhiteSpace(notJson.Message));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task No_caller_is_401_a_forbidden_call_403_and_a_missing_resource_404(string version)
    {
        using var api = Api(version);
        var member = await engine.CreateUserAsync("member");
        var other = await engine.CreateUserAsync("other");

        var anonymous = await api.GetAsync("/v1/feeds/home");
        Assert.True(anonymous.Status == HttpStatusCode.Unauthorized, anonymous.ToString());
        Assert.Equal(16, anonymous.Code);
        Assert.Contains("x-rse-user", anonymous.Message, StringComparison.Ordinal);

        var notAdmin = await api.PostAsync($"/v1/accounts/{other}:deactivate", member, new { request_id = NewRequestId() });
        Assert.True(notAdmin.Status == HttpStatusCode.Forbidden, notAdmin.ToString());
        Assert.Equal(7, notAdmin.Code);

        var missing = await api.GetAsync("/v1/users/nobody-at-all", member);
        Assert.True(missing.Status == HttpStatusCode.NotFound, missing.ToString());
        Assert.Equal(5, missing.Code);
    }

    [Fact]
    public async Task A_repeated_request_id_over_JSON_is_done_once()
    {
        using var api = JsonApi.Http11(engine.Http1Address);
        var author = await engine.CreateUserAsync("author");
        var body = new { request_id = NewRequestId(), text = "once" };

        var first = await api.PostAsync("/v1/posts", author, body);
        var again = await api.PostAsync("/v1/posts", author, body);

        Assert.Equal(first.Text("postId"), again.Text("postId"));
        Assert.Single(await engine.HomeFeedAsync(author));
    }

    [Fact]
    public async Task A_body_over_the_message_limit_is_refused_as_RESOURCE_EXHAUSTED_on_that_call_alone()
    {
        using var api = JsonApi.Http11(engine.Http1Address);
        var author = await engine.CreateUserAsync("author");

        var huge = await api.PostAsync("/v1/posts", author, new { request_id = NewRequestId(), text = new string('x', 2 * 1024 * 1024) });
        Assert.True(huge.Status == HttpStatusCode.TooManyRequests, huge.ToString());
        Assert.Equal(8, huge.Code);
        Assert.Contains("limit is 1,048,576 bytes", huge.Message, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/v1/users/{author}", author)).Status);
    }

    [Fact]
    public async Task Paths_bind_to_the_fields_they_name_and_the_rest_comes_from_the_query()
    {
        using var api = JsonApi.Http11(engine.Http1Address);
        var author = await engine.CreateUserAsync("author");
        var reader = await engine.CreateUserAsync("reader");
        var post = await engine.PostAsync(author, "comments here");
        for (var i = 0; i < 3; i++)
        {
            var comment = await api.PostAsync($"/v1/posts/{post.PostId}/comments", reader, new { request_id = NewRequestId(), text = $"comment {i}" });
            Assert.True(comment.Status == HttpStatusCode.OK, comment.ToString());
        }

        var page = await api.GetAsync($"/v1/posts/{post.PostId}/comments?page_size=2", reader);
        Assert.Equal(2, page.Body!["comments"]!.AsArray().Count);
        var rest = await api.GetAsync($"/v1/posts/{post.PostId}/comments?pageSize=2&pageToken={Uri.EscapeDataString(page.Text("nextPageToken"))}", reader);
        Assert.Equal(["comment 2"], rest.Body!["comments"]!.AsArray().Select(comment => comment!["text"]!.GetValue<string>()));

        // A DELETE names its resource in the path; its request id rides in the query.
        var reaction = await api.PostAsync($"/v1/posts/{post.PostId}/reactions", reader, new { request_id = NewRequestId(), type = "REACTION_TYPE_LIKE" });
        Assert.Equal("REACTION_TYPE_LIKE", reaction.Body!["myReactions"]![0]!.GetValue<string>());
        var removed = await api.SendAsync(HttpMethod.Delete, $"/v1/posts/{post.PostId}/reactions/REACTION_TYPE_LIKE?request_id={NewRequestId()}", reader);
        Assert.True(removed.Status == HttpStatusCode.OK, removed.ToString());
        Assert.Null(removed.Body!["myReactions"]);
    }
}
