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
/// While PostgreSQL is known to be down (stopped, or frozen so that it accepts connections and never
/// answers), a call that needs it answers UNAVAILABLE at once rather than at its deadline, what is
/// already in memory is still read, and the engine notices by itself when PostgreSQL is back.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class StorageBreakerTests(DatabaseServersFixture servers) : IAsyncLifetime
{
    /// <summary>A behaviour bound, not a benchmark: far below a client's deadline, far above a call's cost.</summary>
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(3);

    private RunningEngine engine = null!;
    private EngineClient api = null!;

    private StoreBreaker Breaker => engine.Services.GetRequiredKeyedService<StoreBreaker>(StoreBreaker.Postgres);

    public async Task InitializeAsync()
    {
        var stores = await DurableStores.CreateAsync(servers, "breaker");
        // The engine's own timeouts, as a deployment that sets none gets them.
        var postgres = new NpgsqlConnectionStringBuilder(stores.Postgres);
        postgres.Remove("Timeout");
        postgres.Remove("Command Timeout");
        engine = await stores.StartEngineAsync("breaker", $"--ConnectionStrings:Postgres={postgres.ConnectionString}", "--Durable:Breaker:ProbeInterval=00:00:00.200");
        api = new EngineClient(engine.Channel);
    }

    public async Task DisposeAsync()
    {
        servers.Postgres.Thaw();
        if (!servers.Postgres.IsRunning)
        {
            await servers.Postgres.StartAsync();
        }

        await engine.DisposeAsync();
    }

    [Fact]
    public Task With_PostgreSQL_stopped_writes_answer_unavailable_at_once_reads_in_memory_are_served_and_writes_resume_by_themselves() =>
        ThroughAnOutageAsync(servers.Postgres.StopAsync, servers.Postgres.StartAsync, serverHangs: false);

    [Fact]
    public Task With_PostgreSQL_frozen_writes_answer_unavailable_at_once_reads_in_memory_are_served_and_writes_resume_by_themselves() =>
        ThroughAnOutageAsync(
            () =>
            {
                servers.Postgres.Freeze();
                return Task.CompletedTask;
            },
            () =>
            {
                servers.Postgres.Thaw();
                return Task.CompletedTask;
            },
            serverHangs: true);

    private async Task ThroughAnOutageAsync(Func<Task> fail, Func<Task> recover, bool serverHangs)
    {
        var alice = await api.CreateUserAsync("alice");
        var bob = await api.CreateUserAsync("bob");
        await api.FollowAsync(bob, alice);
        var before = await api.PostAsync(alice, "Before the outage");
        // In memory: bob's feed, alice's post, both users.
        Assert.Single(await api.HomeFeedAsync(bob));
        await api.Posts.GetPostAsync(new GetPostRequest { PostId = before.PostId }, As(bob));

        await fail();
        // The first write to meet the outage may wait for its own timeout; the store is known down
        // sooner when it hangs: a slow operation makes the breaker probe.
        var discovering = RpcAssert.FailsWith(StatusCode.Unavailable, () => api.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), Text = "Discovers the outage" }, As(alice)));
        await Eventually.TrueAsync(() => Task.FromResult(Breaker.IsOpen), "the PostgreSQL breaker to open");
        if (serverHangs)
        {
            Assert.False(discovering.IsCompleted, "the breaker opened only once the first write had given up on the hung server");
        }

        await discovering;

        var during = new CreatePostRequest { RequestId = "written-during-the-outage", Text = "Is anyone there?" };
        foreach (var attempt in Enumerable.Range(0, 3))
        {
            var write = Stopwatch.StartNew();
            await RpcAssert.FailsWith(StatusCode.Unavailable, () => api.Posts.CreatePostAsync(during, As(alice)));
            await RpcAssert.FailsWith(StatusCode.Unavailable, () => api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = before.PostId, Type = ReactionType.Like }, As(bob)));
            Assert.True(write.Elapsed < AtOnce, $"attempt {attempt}: two writes took {write.Elapsed.TotalSeconds:F1} s while PostgreSQL was known to be down");

            var read = Stopwatch.StartNew();
            Assert.Equal(["Before the outage"], (await api.HomeFeedAsync(bob)).Select(item => item.Post.Text));
            Assert.Equal("Before the outage", (await api.Posts.GetPostAsync(new GetPostRequest { PostId = before.PostId }, As(bob))).Text);
            Assert.True(read.Elapsed < AtOnce, $"attempt {attempt}: two reads from memory took {read.Elapsed.TotalSeconds:F1} s");
        }

        // A grain not in memory must load its state: that call needs PostgreSQL, and says so at once.
        var activation = Stopwatch.StartNew();
        await RpcAssert.FailsWith(StatusCode.Unavailable, () => api.Users.GetUserAsync(new GetUserRequest { UserId = "nobody-in-memory" }, As(bob)));
        Assert.True(activation.Elapsed < AtOnce, $"a read that activates a grain took {activation.Elapsed.TotalSeconds:F1} s");

        await recover();
        // Nobody calls: the breaker's own probes see PostgreSQL back.
        await Eventually.TrueAsync(() => Task.FromResult(!Breaker.IsOpen), "the PostgreSQL breaker to close by itself");

        var created = await api.Posts.CreatePostAsync(during, As(alice));
        var again = await api.Posts.CreatePostAsync(during, As(alice));
        Assert.Equal(created.PostId, again.PostId);
        Assert.Equal(["Is anyone there?", "Before the outage"], (await api.HomeFeedAsync(bob)).Select(item => item.Post.Text));
    }
}
