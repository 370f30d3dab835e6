using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class ClusterTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Three_engines_form_one_cluster_through_Redis_and_a_watcher_on_one_receives_posts_made_through_another()
    {
        var stores = await DurableStores.CreateAsync(servers, "cluster");
        var clusterId = $"--Orleans:ClusterId=cluster-{Guid.NewGuid():N}";
        await using var first = await stores.StartEngineAsync("first", clusterId);
        await using var second = await stores.StartEngineAsync("second", clusterId);
        await using var third = await stores.StartEngineAsync("third", clusterId);
        var (a, b, c) = (new EngineClient(first.Channel), new EngineClient(second.Channel), new EngineClient(third.Channel));
        var management = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        Assert.Equal(3, (await management.GetHosts(onlyActive: true)).Count);

        var alice = await a.CreateUserAsync("alice");
        var bob = await b.CreateUserAsync("bob");
        await c.FollowAsync(bob, alice);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using (var watch = c.Feeds.WatchFeed(new WatchFeedRequest(), As(bob), cancellationToken: timeout.Token))
        {
            // The third engine's headers say the watch is registered: nothing posted from now on is missed.
            await watch.ResponseHeadersAsync;
            var post = await a.PostAsync(alice, "Posted through the first engine");

            var received = await NextAsync(watch, timeout.Token);
            Assert.Equal(post.PostId, received.Post.PostId);
        }

        foreach (var engine in new[] { a, b, c })
        {
            Assert.Equal(["Posted through the first engine"], (await engine.HomeFeedAsync(bob)).Select(item => item.Post.Text));
        }
    }

    [Fact]
    public async Task A_users_write_limit_holds_across_the_engines_of_a_cluster()
    {
        var stores = await DurableStores.CreateAsync(servers, "limits");
        string[] settings = [$"--Orleans:ClusterId=limits-{Guid.NewGuid():N}", "--Limits:WritesPerMinute=6", "--Limits:WriteBurst=3"];
        await using var first = await stores.StartEngineAsync("first", settings);
        await using var second = await stores.StartEngineAsync("second", settings);
        var (a, b) = (new EngineClient(first.Channel), new EngineClient(second.Channel));
        var alice = await a.CreateUserAsync("alice");

        await a.PostAsync(alice, "one");
        await b.PostAsync(alice, "two");
        await a.PostAsync(alice, "three");
        var refused = await Assert.ThrowsAsync<RpcException>(() => b.PostAsync(alice, "four"));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.NotNull(refused.Trailers.GetValue("retry-after"));
    }

    [Fact]
    public async Task A_service_account_s_write_limit_holds_across_the_engines_of_a_cluster()
    {
        var stores = await DurableStores.CreateAsync(servers, "botlimits");
        // One write a minute after a burst of three: nothing refills within the test.
        string[] settings = [$"--Orleans:ClusterId=botlimits-{Guid.NewGuid():N}", "--Limits:WritesPerMinute=1", "--Limits:WriteBurst=3", $"--Network:Admins:0={EngineFixture.NetworkAdmin}"];
        await using var first = await stores.StartEngineAsync("first", settings);
        await using var second = await stores.StartEngineAsync("second", settings);
        var (a, b) = (new EngineClient(first.Channel), new EngineClient(second.Channel));
        var admin = await a.NetworkAdminAsync();
        var group = await a.CreateGroupAsync(admin, GroupVisibility.Open, name: "Builds");
        var accounts = new RseOrleans.Api.V1.ServiceAccounts.ServiceAccountsClient(first.Channel);
        await accounts.CreateServiceAccountAsync(new CreateServiceAccountRequest
        {
            RequestId = NewRequestId(), ServiceAccountId = "ci", DisplayName = "CI", Scopes = { $"groups.post:{group.GroupId}" },
        }, As(admin));

        // A token of its own for each engine: the account's one grain keeps the one allowance.
        async Task<Func<string, Task<Post>>> PosterAsync(EngineClient engine)
        {
            var token = (await accounts.IssueTokenAsync(new IssueTokenRequest { ServiceAccountId = "ci" }, As(admin))).Token;
            var bearer = new Metadata { { "authorization", $"Bearer {token}" } };
            return text => engine.Posts.CreatePostAsync(new CreatePostRequest { RequestId = NewRequestId(), GroupId = group.GroupId, Text = text }, bearer).ResponseAsync;
        }

        var (throughA, throughB) = (await PosterAsync(a), await PosterAsync(b));
        await throughA("build 1 green");
        await throughB("build 2 green");
        await throughA("build 3 green");
        var refused = await Assert.ThrowsAsync<RpcException>(() => throughB("build 4 green"));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.NotNull(refused.Trailers.GetValue("retry-after"));
    }

    [Fact]
    public async Task A_read_through_the_engine_that_does_not_host_the_post_misses_its_read_model_and_is_as_exact_as_one_that_hits()
    {
        var stores = await DurableStores.CreateAsync(servers, "localreads");
        var clusterId = $"--Orleans:ClusterId=localreads-{Guid.NewGuid():N}";
        await using var first = await stores.StartEngineAsync("first", clusterId);
        await using var second = await stores.StartEngineAsync("second", clusterId);
        var engines = new[] { first, second };
        var (a, b) = (new EngineClient(first.Channel), new EngineClient(second.Channel));
        var alice = await a.CreateUserAsync("alice");
        var bob = await b.CreateUserAsync("bob");
        await a.FollowAsync(bob, alice);
        var post = await a.PostAsync(alice, "First version");
        var postId = long.Parse(post.PostId, System.Globalization.CultureInfo.InvariantCulture);

        async Task<Post[]> ReadThroughBothAsync() =>
            [Assert.Single(await a.HomeFeedAsync(bob)).Post, Assert.Single(await b.HomeFeedAsync(bob)).Post];

        await ReadThroughBothAsync();
        // The post grain is active on one silo only: only that engine reads it locally.
        Assert.Single(engines, engine => engine.Services.GetRequiredService<LocalReadModel>().Posts.TryGet(postId, out _));

        // Each change goes through the engine that is not the other's: both reads see it at once.
        await b.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "Second version" }, As(alice));
        Assert.All(await ReadThroughBothAsync(), read => Assert.Equal("Second version", read.Text));

        await a.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like }, As(bob));
        Assert.All(await ReadThroughBothAsync(), read =>
        {
            Assert.Equal([ReactionType.Like], read.MyReactions);
            Assert.Equal(1, read.Reactions.Single(r => r.Type == ReactionType.Like).Count);
        });

        await b.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(alice));
        Assert.Empty(await a.HomeFeedAsync(bob));
        Assert.Empty(await b.HomeFeedAsync(bob));
    }
}
