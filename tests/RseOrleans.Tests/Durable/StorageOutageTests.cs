using Grpc.Core;
using Orleans;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>What clients see while PostgreSQL or Redis is away, and after they come back.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class StorageOutageTests(DatabaseServersFixture servers) : IAsyncLifetime
{
    private DurableStores stores = null!;
    private RunningEngine engine = null!;
    private EngineClient api = null!;

    public async Task InitializeAsync()
    {
        stores = await DurableStores.CreateAsync(servers, "outage");
        engine = await stores.StartEngineAsync("outage", "--Feed:TimelineSaveInterval=00:00:00.200");
        api = new EngineClient(engine.Channel);
    }

    public async Task DisposeAsync()
    {
        // Whatever happened in the test, the next one finds both servers running, and the engine
        // leaves the cluster cleanly.
        if (!servers.Postgres.IsRunning)
        {
            await servers.Postgres.StartAsync();
        }

        if (!servers.Redis.IsRunning)
        {
            await servers.Redis.StartAsync();
        }

        await engine.DisposeAsync();
    }

    [Fact]
    public async Task With_PostgreSQL_stopped_writes_answer_unavailable_and_a_retry_after_it_returns_takes_effect_exactly_once()
    {
        var alice = await api.CreateUserAsync("alice");
        var bob = await api.CreateUserAsync("bob");
        await api.FollowAsync(bob, alice);
        var post = new CreatePostRequest { RequestId = "written-during-the-outage", Text = "Is anyone there?" };
        var follow = new FollowUserRequest { RequestId = "follow-during-the-outage", UserId = bob };

        await servers.Postgres.StopAsync();
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => api.Posts.CreatePostAsync(post, As(alice)).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => api.Users.FollowUserAsync(follow, As(alice)).ResponseAsync)).StatusCode);

        await servers.Postgres.StartAsync();
        var created = await RetryWhileUnavailableAsync(() => api.Posts.CreatePostAsync(post, As(alice)).ResponseAsync);
        var again = await RetryWhileUnavailableAsync(() => api.Posts.CreatePostAsync(post, As(alice)).ResponseAsync);
        await RetryWhileUnavailableAsync(() => api.Users.FollowUserAsync(follow, As(alice)).ResponseAsync);

        Assert.Equal(created.PostId, again.PostId);
        Assert.Single(await api.HomeFeedAsync(bob), item => item.Post.Text == "Is anyone there?");
        Assert.Single(await api.HomeFeedAsync(alice), item => item.Post.Text == "Is anyone there?");
        var following = await api.Users.ListFollowingAsync(new ListFollowingRequest { UserId = alice, PageSize = 10 }, As(alice));
        Assert.Equal([bob], following.Users.Select(user => user.UserId));
    }

    [Fact]
    public async Task With_Redis_stopped_feeds_that_reactivate_are_rebuilt_complete_from_PostgreSQL()
    {
        var alice = await api.CreateUserAsync("alice");
        var bob = await api.CreateUserAsync("bob");
        await api.FollowAsync(bob, alice);
        await api.PostAsync(alice, "before the outage");
        Assert.Single(await api.HomeFeedAsync(bob));
        await Task.Delay(500); // long enough for bob's feed to be saved to Redis

        await servers.Redis.StopAsync();
        await api.PostAsync(alice, "during the outage");

        // Every idle grain goes; bob's feed comes back without its Redis copy. (The silo is named:
        // finding the silos would ask the membership table, which lives in Redis.)
        var silo = engine.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var grains = engine.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection([silo], TimeSpan.Zero);

        Assert.Equal(["during the outage", "before the outage"], (await api.HomeFeedAsync(bob)).Select(item => item.Post.Text));
        var carol = await api.CreateUserAsync("carol");
        await api.FollowAsync(carol, alice);
        Assert.Equal(["during the outage", "before the outage"], (await api.HomeFeedAsync(carol)).Select(item => item.Post.Text));
    }

    /// <summary>What a client does with UNAVAILABLE: try again, with the same request id, a little later.</summary>
    private static async Task<T> RetryWhileUnavailableAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && attempt < 40)
            {
                await Task.Delay(250);
            }
        }
    }
}
