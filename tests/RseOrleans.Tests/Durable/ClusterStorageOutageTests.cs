using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>
/// What clients of a three-engine cluster see while PostgreSQL is away: a storage failure on the
/// silo that hosts a grain reaches a client of another engine as UNAVAILABLE, like one on its own.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class ClusterStorageOutageTests(DatabaseServersFixture servers) : IAsyncLifetime
{
    private readonly List<RunningEngine> engines = [];

    public async Task InitializeAsync()
    {
        var stores = await DurableStores.CreateAsync(servers, "clusteroutage");
        var clusterId = $"--Orleans:ClusterId=clusteroutage-{Guid.NewGuid():N}";
        foreach (var name in (string[])["first", "second", "third"])
        {
            engines.Add(await stores.StartEngineAsync(name, clusterId));
        }
    }

    public async Task DisposeAsync()
    {
        if (!servers.Postgres.IsRunning)
        {
            await servers.Postgres.StartAsync();
        }

        foreach (var engine in engines)
        {
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_PostgreSQL_stopped_every_call_through_every_engine_that_needs_it_answers_unavailable()
    {
        var clients = engines.Select(engine => new EngineClient(engine.Channel)).ToArray();
        var users = new List<string>();
        var posts = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var user = await clients[i % 3].CreateUserAsync($"user{i}");
            users.Add(user);
            posts.Add((await clients[(i + 1) % 3].PostAsync(user, $"Post {i}")).PostId);
        }

        await servers.Postgres.StopAsync();
        // Every grain leaves memory: each call below activates one, on whichever silo placement picks.
        var grains = engines[0].Services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection((await management.GetHosts(onlyActive: true)).Keys.ToArray(), TimeSpan.Zero);

        var calls = new List<(string Call, Func<Task> Run)>();
        foreach (var (client, engine) in clients.Select((client, index) => (client, index)))
        {
            for (var i = 0; i < users.Count; i++)
            {
                var (user, post) = (users[i], posts[i]);
                calls.Add(($"GetUser {user} via engine {engine}", () => client.Users.GetUserAsync(new GetUserRequest { UserId = user }, As(user)).ResponseAsync));
                calls.Add(($"GetPost {post} via engine {engine}", () => client.Posts.GetPostAsync(new GetPostRequest { PostId = post }, As(user)).ResponseAsync));
                calls.Add(($"GetHomeFeed {user} via engine {engine}", () => client.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 10 }, As(user)).ResponseAsync));
                calls.Add(($"ListUserPosts {user} via engine {engine}", () => client.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = user, PageSize = 10 }, As(user)).ResponseAsync));
                calls.Add(($"AddReaction {post} via engine {engine}", () => client.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post, Type = ReactionType.Like }, As(user)).ResponseAsync));
                calls.Add(($"CreateComment {post} via engine {engine}", () => client.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post, Text = "Anyone?" }, As(user)).ResponseAsync));
                calls.Add(($"CreatePost {user} via engine {engine}", () => client.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "During the outage" }, As(user)).ResponseAsync));
            }
        }

        var answers = await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                await call.Run();
                return (call.Call, Status: StatusCode.OK, Detail: "");
            }
            catch (RpcException ex)
            {
                return (call.Call, Status: ex.StatusCode, Detail: ex.Status.Detail);
            }
        }));

        var dishonest = answers.Where(answer => answer.Status is not (StatusCode.OK or StatusCode.Unavailable)).ToList();
        Assert.True(dishonest.Count == 0, string.Join(Environment.NewLine,
            [$"{dishonest.Count} of {answers.Length} calls answered neither OK nor UNAVAILABLE:", .. dishonest.Take(20).Select(answer => $"{answer.Call}: {answer.Status} {answer.Detail}")]));
        Assert.Contains(answers, answer => answer.Status == StatusCode.Unavailable);
        Assert.All(answers.Where(answer => answer.Status == StatusCode.Unavailable), answer =>
            Assert.DoesNotContain("codec", answer.Detail, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(answers, answer => answer.Status == StatusCode.OK
            && (answer.Call.StartsWith("Create", StringComparison.Ordinal) || answer.Call.StartsWith("AddReaction", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task With_PostgreSQL_stopped_feeds_and_posts_in_memory_are_still_read_through_every_engine()
    {
        var clients = engines.Select(engine => new EngineClient(engine.Channel)).ToArray();
        var author = await clients[0].CreateUserAsync("author");
        var readers = new List<string>();
        var posts = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var reader = await clients[i % 3].CreateUserAsync($"reader{i}");
            await clients[(i + 1) % 3].FollowAsync(reader, author);
            readers.Add(reader);
        }

        for (var i = 0; i < 3; i++)
        {
            posts.Add((await clients[i].PostAsync(author, $"Post {i}")).PostId);
        }

        async Task ReadEverythingThroughEveryEngineAsync()
        {
            foreach (var client in clients)
            {
                foreach (var reader in readers)
                {
                    Assert.Equal(["Post 2", "Post 1", "Post 0"], (await client.HomeFeedAsync(reader)).Select(item => item.Post.Text));
                }

                foreach (var post in posts)
                {
                    await client.Posts.GetPostAsync(new GetPostRequest { PostId = post }, As(readers[0]));
                }
            }
        }

        await ReadEverythingThroughEveryEngineAsync();
        await servers.Postgres.StopAsync();
        await ReadEverythingThroughEveryEngineAsync();
    }
}
