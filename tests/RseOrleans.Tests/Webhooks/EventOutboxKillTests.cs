using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;

namespace RseOrleans.Tests.Webhooks;

/// <summary>
/// In durable mode, a silo killed during a grain's first hand-on of its events (stored, nothing
/// failed yet) leaves nothing waiting for the grain's next call: a user's, a reaction shard's and
/// a post's later events (an edit, a comment) under the reminder set before they were stored, a new
/// post's under its pending fan-out mark, which the fan-out recovery finds, or, when its source
/// never committed, under its author's content index. Two silos on PostgreSQL; the test never
/// calls the grain again.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class EventOutboxKillTests(DatabaseServersFixture servers)
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_users_event_held_when_its_silo_is_killed_is_handed_on_without_the_user_being_called()
    {
        var held = new HeldHandOns();
        await using var cluster = await StartClusterAsync("outbox-kill-user", held);
        held.Hold();

        var user = cluster.Client.GetGrain<IUserGrain>("newcomer");
        await user.Create(new UserProfile("Newcomer", "", "", "", "", "", []));
        var created = await HeldAsync(held, e => e.Kind == EngineEventKind.UserCreated && e.UserId == "newcomer");
        await KillHostOfAsync(cluster, user, held);

        await HandedOnAsync(held, created);
    }

    [Fact]
    public async Task A_reactions_event_held_when_its_shards_silo_is_killed_is_handed_on_without_the_shard_being_called()
    {
        var held = new HeldHandOns();
        await using var cluster = await StartClusterAsync("outbox-kill-shard", held);
        var grains = cluster.Client;
        await grains.GetGrain<IUserGrain>("author").Create(new UserProfile("Author", "", "", "", "", "", []));
        var post = await grains.GetGrain<ISourceGrain>(SourceId.User("author").Key).PublishOne(new NewPost("author", "React to this"));
        await Eventually.TrueAsync(() => Task.FromResult(held.HandedOn(e => e.Kind == EngineEventKind.PostCreated && e.PostId == post.PostId) is not null), "the post's own event handed on");
        held.Hold();

        var shard = grains.ReactionShard(post.PostId, post.ReactionShards, "fan");
        await shard.Add("fan", ReactionType.Like);
        var added = await HeldAsync(held, e => e.Kind == EngineEventKind.ReactionAdded && e.ActorId == "fan");
        await KillHostOfAsync(cluster, shard, held);

        await HandedOnAsync(held, added);
    }

    [Fact]
    public async Task A_new_posts_event_held_when_its_silo_is_killed_is_handed_on_without_the_post_being_called()
    {
        var held = new HeldHandOns();
        await using var cluster = await StartClusterAsync("outbox-kill-post", held);
        var grains = cluster.Client;
        await grains.GetGrain<IUserGrain>("author").Create(new UserProfile("Author", "", "", "", "", "", []));
        await Eventually.TrueAsync(() => Task.FromResult(held.HandedOn(e => e.Kind == EngineEventKind.UserCreated) is not null), "the author's own event handed on");
        held.Hold();

        var post = await grains.GetGrain<ISourceGrain>(SourceId.User("author").Key).PublishOne(new NewPost("author", "Nobody reads me"));
        var created = await HeldAsync(held, e => e.Kind == EngineEventKind.PostCreated && e.PostId == post.PostId);
        await KillHostOfAsync(cluster, grains.GetGrain<IPostGrain>(post.PostId), held);

        await HandedOnAsync(held, created);
    }

    [Fact]
    public async Task A_new_posts_event_held_when_its_silo_is_killed_before_its_source_commits_is_handed_on_without_the_post_being_called()
    {
        var held = new HeldHandOns();
        var creations = new HeldPostCreations();
        await using var cluster = await StartClusterAsync("outbox-kill-uncommitted", held, silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(creations));
        var grains = cluster.Client;
        await grains.GetGrain<IUserGrain>("author").Create(new UserProfile("Author", "", "", "", "", "", []));
        await Eventually.TrueAsync(() => Task.FromResult(held.HandedOn(e => e.Kind == EngineEventKind.UserCreated) is not null), "the author's own event handed on");
        held.Hold();

        // The post is stored, its answer to the source held: the source never commits, so no pending fan-out mark is written.
        var publishing = grains.GetGrain<ISourceGrain>(SourceId.User("author").Key).PublishOne(new NewPost("author", "Nobody knows I exist"));
        await creations.Stored;
        var created = await HeldAsync(held, e => e.Kind == EngineEventKind.PostCreated);
        await KillHostOfAsync(cluster, grains.GetGrain<IPostGrain>(created.PostId), held);
        creations.Drop();

        await HandedOnAsync(held, created);
        await Assert.ThrowsAnyAsync<Exception>(() => publishing);
        Assert.Equal(0L, (long)(await cluster.Stores.SqlAsync("SELECT count(*) FROM rse_fanout_pending"))!);
    }

    [Fact]
    public async Task A_posts_edit_held_when_its_silo_is_killed_is_handed_on_without_the_post_being_called()
    {
        var held = new HeldHandOns();
        await using var cluster = await StartClusterAsync("outbox-kill-edit", held);
        var post = cluster.Client.GetGrain<IPostGrain>(await PublishedAndSettledAsync(cluster, held));
        held.Hold();

        await post.Edit("author", "Nobody reads me, edited");
        var edited = await HeldAsync(held, e => e.Kind == EngineEventKind.PostUpdated);
        await KillHostOfAsync(cluster, post, held);

        await HandedOnAsync(held, edited);
    }

    [Fact]
    public async Task A_comments_event_held_when_its_posts_silo_is_killed_is_handed_on_without_the_post_being_called()
    {
        var held = new HeldHandOns();
        await using var cluster = await StartClusterAsync("outbox-kill-comment", held);
        var post = cluster.Client.GetGrain<IPostGrain>(await PublishedAndSettledAsync(cluster, held));
        held.Hold();

        var comment = await post.AddComment("author", "Talking to myself", request: 1);
        var commented = await HeldAsync(held, e => e.Kind == EngineEventKind.CommentCreated && e.CommentId == comment.CommentId);
        await KillHostOfAsync(cluster, post, held);

        await HandedOnAsync(held, commented);
    }

    /// <summary>
    /// A post whose creation is over: its event handed on and its pending fan-out mark gone, so
    /// that nothing but its own outbox brings it back after a crash.
    /// </summary>
    private static async Task<long> PublishedAndSettledAsync(AsyncDisposableCluster cluster, HeldHandOns held)
    {
        var grains = cluster.Client;
        await grains.GetGrain<IUserGrain>("author").Create(new UserProfile("Author", "", "", "", "", "", []));
        var post = await grains.GetGrain<ISourceGrain>(SourceId.User("author").Key).PublishOne(new NewPost("author", "Nobody reads me"));
        await Eventually.TrueAsync(() => Task.FromResult(held.HandedOn(e => e.Kind == EngineEventKind.PostCreated && e.PostId == post.PostId) is not null), "the post's own event handed on");
        await Eventually.TrueAsync(
            async () => (long)(await cluster.Stores.SqlAsync("SELECT count(*) FROM rse_fanout_pending"))! == 0,
            "the post's pending fan-out mark cleared");
        return post.PostId;
    }

    private static async Task<EngineEvent> HeldAsync(HeldHandOns held, Func<EngineEvent, bool> which)
    {
        await Eventually.TrueAsync(() => Task.FromResult(held.Held(which) is not null), "the first hand-on held");
        return held.Held(which)!;
    }

    /// <summary>Kills the silo of <paramref name="grain"/> (no deactivation runs), then lets hand-ons through, the held ones lost.</summary>
    private static async Task KillHostOfAsync(AsyncDisposableCluster cluster, IAddressable grain, HeldHandOns held)
    {
        var host = await cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        await cluster.KillSiloAsync(host!);
        held.Drop();
    }

    private static Task HandedOnAsync(HeldHandOns held, EngineEvent engineEvent) =>
        Eventually.TrueAsync(() => Task.FromResult(held.HandedOn(e => e.EventId == engineEvent.EventId) is not null), "the held event handed on again, with its id, from another silo");

    /// <summary>Two silos on PostgreSQL with the engine's reminders there; reminders and the fan-out recovery on short periods.</summary>
    private async Task<AsyncDisposableCluster> StartClusterAsync(string name, HeldHandOns held, Action<ISiloBuilder>? configure = null)
    {
        var stores = await DurableStores.CreateAsync(servers, name);
        return new AsyncDisposableCluster(stores, await stores.StartClusterAsync(silos: 2, silo =>
        {
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(held);
            silo.UseAdoNetReminderService(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = stores.Postgres;
            });
            silo.Services.Configure<WebhookOptions>(options => options.ReminderPeriod = Short);
            silo.Services.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = Short);
            silo.Services.Configure<FeedOptions>(options => (options.FanoutRecoveryAfter, options.FanoutRecoveryInterval) = (Short, TimeSpan.FromSeconds(1)));
            configure?.Invoke(silo);
        }));
    }

    /// <summary>The cluster, stopped and disposed by <c>await using</c>.</summary>
    private sealed class AsyncDisposableCluster(DurableStores stores, InProcessTestCluster cluster) : IAsyncDisposable
    {
        public IClusterClient Client => cluster.Client;

        public DurableStores Stores => stores;

        public Task KillSiloAsync(SiloAddress host) => cluster.KillSiloAsync(cluster.Silos.Single(silo => silo.SiloAddress.Equals(host)));

        public async ValueTask DisposeAsync()
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
