using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RseOrleans.Api.V1;
using RseOrleans.Storage.Resilience;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>
/// What clients of a three-engine cluster see while PostgreSQL is away: a storage failure on the
/// silo that hosts a grain reaches a client of another engine as UNAVAILABLE, like one on its own,
/// and before the client's deadline even when PostgreSQL hangs.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class ClusterStorageOutageTests(DatabaseServersFixture servers) : IAsyncLifetime
{
    private readonly List<RunningEngine> engines = [];

    public async Task InitializeAsync()
    {
        var stores = await DurableStores.CreateAsync(servers, "clusteroutage");
        // The engine's own timeouts, as a deployment that sets none gets them.
        var postgres = new NpgsqlConnectionStringBuilder(stores.Postgres);
        postgres.Remove("Timeout");
        postgres.Remove("Command Timeout");
        var clusterId = $"--Orleans:ClusterId=clusteroutage-{Guid.NewGuid():N}";
        foreach (var name in (string[])["first", "second", "third"])
        {
            engines.Add(await stores.StartEngineAsync(name, clusterId, $"--ConnectionStrings:Postgres={postgres.ConnectionString}"));
        }
    }

    public async Task DisposeAsync()
    {
        servers.Postgres.Thaw();
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
    public Task With_PostgreSQL_stopped_every_call_through_every_engine_that_needs_it_answers_unavailable() =>
        EveryCallAnswersUnavailableAsync(
            async () =>
            {
                await servers.Postgres.StopAsync();
                await CollectEveryGrainAsync();
            });

    [Fact]
    public Task With_PostgreSQL_frozen_every_call_through_every_engine_that_needs_it_answers_unavailable() =>
        EveryCallAnswersUnavailableAsync(
            async () =>
            {
                // Collected first: a grain leaving memory may write, which a frozen server would hold.
                await CollectEveryGrainAsync();
                servers.Postgres.Freeze();
            });

    /// <summary>Every grain leaves memory: each call then activates one, on whichever silo placement picks.</summary>
    private async Task CollectEveryGrainAsync()
    {
        var management = engines[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection((await management.GetHosts(onlyActive: true)).Keys.ToArray(), TimeSpan.Zero);
    }

    /// <summary>
    /// Reads and writes of twelve users' grains, none in memory, through each engine, twice: as the
    /// outage begins (each grain's state read meets the outage: before the clients' deadline, even
    /// when the server hangs, since the read stops waiting when the breaker opens), and once every
    /// engine's breaker is open, when each call must answer UNAVAILABLE at once.
    /// </summary>
    private async Task EveryCallAnswersUnavailableAsync(Func<Task> outage)
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

        await outage();
        var first = await CallEverythingAsync(clients, users, posts);
        AssertHonest(first, [StatusCode.Unavailable]);

        await Eventually.TrueAsync(
            () => Task.FromResult(engines.All(engine => engine.Services.GetRequiredKeyedService<StoreBreaker>(StoreBreaker.Postgres).IsOpen)),
            "every engine's PostgreSQL breaker to open");
        var known = await CallEverythingAsync(clients, users, posts);
        AssertHonest(known, [StatusCode.Unavailable]);
        var slow = known.Where(answer => answer.Status != StatusCode.OK && answer.Took >= TimeSpan.FromSeconds(3)).ToList();
        Assert.True(slow.Count == 0, string.Join(Environment.NewLine,
            [$"{slow.Count} of {known.Length} calls took 3 s or more while PostgreSQL was known to be down:", .. slow.Take(20).Select(answer => $"{answer.Call}: {answer.Took.TotalSeconds:F1} s")]));
    }

    private static async Task<(string Call, StatusCode Status, string Detail, TimeSpan Took)[]> CallEverythingAsync(
        EngineClient[] clients, List<string> users, List<string> posts)
    {
        // The deadline the clients of a real outage gave their calls.
        static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);
        var calls = new List<(string Call, Func<Task> Run)>();
        foreach (var (client, engine) in clients.Select((client, index) => (client, index)))
        {
            for (var i = 0; i < users.Count; i++)
            {
                var (user, post) = (users[i], posts[i]);
                calls.Add(($"GetUser {user} via engine {engine}", () => client.Users.GetUserAsync(new GetUserRequest { UserId = user }, As(user), Deadline()).ResponseAsync));
                calls.Add(($"GetPost {post} via engine {engine}", () => client.Posts.GetPostAsync(new GetPostRequest { PostId = post }, As(user), Deadline()).ResponseAsync));
                calls.Add(($"GetHomeFeed {user} via engine {engine}", () => client.Feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 10 }, As(user), Deadline()).ResponseAsync));
                calls.Add(($"ListUserPosts {user} via engine {engine}", () => client.Feeds.ListUserPostsAsync(new ListUserPostsRequest { UserId = user, PageSize = 10 }, As(user), Deadline()).ResponseAsync));
                calls.Add(($"AddReaction {post} via engine {engine}", () => client.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post, Type = ReactionType.Like }, As(user), Deadline()).ResponseAsync));
                calls.Add(($"CreateComment {post} via engine {engine}", () => client.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post, Text = "Anyone?" }, As(user), Deadline()).ResponseAsync));
                calls.Add(($"CreatePost {user} via engine {engine}", () => client.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "During the outage" }, As(user), Deadline()).ResponseAsync));
            }
        }

        return await Task.WhenAll(calls.Select(async call =>
        {
            var took = Stopwatch.StartNew();
            try
            {
                await call.Run();
                return (call.Call, StatusCode.OK, "", took.Elapsed);
            }
            catch (RpcException ex)
            {
                return (call.Call, ex.StatusCode, ex.Status.Detail, took.Elapsed);
            }
        }));
    }

    /// <summary>
    /// No write may succeed, and nothing may answer INTERNAL or UNKNOWN. A read may succeed: a silo may
    /// serve it from what it holds in memory without the grain.
    /// </summary>
    private static void AssertHonest((string Call, StatusCode Status, string Detail, TimeSpan Took)[] answers, StatusCode[] allowed)
    {
        static bool IsRead(string call) => call.StartsWith("Get", StringComparison.Ordinal) || call.StartsWith("List", StringComparison.Ordinal);
        var dishonest = answers.Where(answer => !allowed.Contains(answer.Status) && !(answer.Status == StatusCode.OK && IsRead(answer.Call))).ToList();
        Assert.Contains(answers, answer => answer.Status == StatusCode.Unavailable);
        Assert.True(dishonest.Count == 0, string.Join(Environment.NewLine,
            [$"{dishonest.Count} of {answers.Length} calls answered other than {string.Join(" or ", allowed)}:", .. dishonest.Take(20).Select(answer => $"{answer.Call}: {answer.Status} {answer.Detail}")]));
        Assert.All(answers, answer => Assert.DoesNotContain("codec", answer.Detail, StringComparison.OrdinalIgnoreCase));
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
