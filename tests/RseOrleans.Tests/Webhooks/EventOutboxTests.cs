using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Grains.Events;
using EventScopes = RseOrleans.Model.EventScopes;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Webhooks;

/// <summary>
/// The outbox between a grain's stored change and the subscribers of its events: an event whose
/// hand-on is lost is sent again until its registry acknowledges it, and delivered once, with its
/// own id as the webhook-id, for a post's events as for a reaction shard's; one still stored when
/// the engine stops leaves after the restart, the grain woken by the reminder its failed hand-on set.
/// </summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class EventOutboxTests(DatabaseServersFixture servers)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_event_whose_hand_on_is_lost_is_sent_again_and_delivered_once_with_its_own_id(bool answerLost)
    {
        var losing = new LostHandOns { AfterTheWork = answerLost };
        await using var engine = await StartLosingAsync(losing);
        await using var receiver = await WebhookReceiver.StartAsync();
        var api = new EngineClient(engine.Channel);
        var owner = await api.CreateUserAsync("owner");
        var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
        var webhook = await CreateWebhookAsync(engine, owner, group.GroupId, receiver.Url);
        losing.Scope = EventScopes.Group(group.GroupId);
        losing.Lose(2);

        var post = await api.PostAsync(owner, "sent again until acknowledged", group.GroupId);

        await Eventually.TrueAsync(() => Task.FromResult(losing.Acknowledged > 0), "the hand-on acknowledged after two lost ones");
        Assert.Equal(2, losing.Lost);
        var delivery = (await receiver.WaitForAsync(r => r.Count > 0, "the post's delivery"))[0];
        await Eventually.TrueAsync(
            async () => (await DeliveriesAsync(engine, owner, webhook)).All(d => d.Status == DeliveryStatus.Succeeded),
            "every delivery queued done");
        var logged = Assert.Single(await DeliveriesAsync(engine, owner, webhook));
        Assert.Contains(post.PostId, logged.Payload, StringComparison.Ordinal);
        var received = Assert.Single(receiver.About("post_id", post.PostId));
        Assert.Equal(received.Data("event_id"), received.Id);
        Assert.Equal(logged.DeliveryId, received.Id);
        Assert.Equal(delivery.Id, received.Id);
        Assert.True(received.IsSignedWith(webhook.Secret));
    }

    [Fact]
    public async Task A_members_joining_whose_answer_is_lost_is_delivered_once_from_the_groups_outbox()
    {
        var losing = new LostHandOns { AfterTheWork = true };
        await using var engine = await StartLosingAsync(losing);
        await using var receiver = await WebhookReceiver.StartAsync();
        var api = new EngineClient(engine.Channel);
        var owner = await api.CreateUserAsync("owner");
        var joiner = await api.CreateUserAsync("joiner");
        var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
        var webhook = await CreateWebhookAsync(engine, owner, group.GroupId, receiver.Url, "member.joined");
        losing.Scope = EventScopes.Group(group.GroupId);
        losing.Lose(1);

        await api.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(joiner));

        await Eventually.TrueAsync(() => Task.FromResult(losing.Acknowledged > 0), "the hand-on acknowledged after a lost answer");
        await Eventually.TrueAsync(
            async () => (await DeliveriesAsync(engine, owner, webhook)).All(d => d.Status == DeliveryStatus.Succeeded),
            "every delivery queued done");
        Assert.Single(await DeliveriesAsync(engine, owner, webhook));
        var received = Assert.Single(receiver.About("user_id", joiner));
        Assert.Equal("member.joined", received.Type);
        Assert.Equal(received.Data("event_id"), received.Id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reaction_whose_hand_on_is_lost_is_sent_again_from_the_shards_stored_changes_and_delivered_once(bool answerLost)
    {
        var losing = new LostHandOns { AfterTheWork = answerLost };
        await using var engine = await StartLosingAsync(losing);
        await using var receiver = await WebhookReceiver.StartAsync();
        var api = new EngineClient(engine.Channel);
        var owner = await api.CreateUserAsync("owner");
        var reader = await api.CreateUserAsync("reader");
        var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
        var webhook = await CreateWebhookAsync(engine, owner, group.GroupId, receiver.Url, "reaction.added");
        var post = await PostHandedOnAsync(api, losing, owner, group.GroupId);
        losing.Lose(2);

        await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Celebrate }, As(reader));

        await Eventually.TrueAsync(() => Task.FromResult(losing.Acknowledged > 1), "the reaction's hand-on acknowledged after two lost ones");
        Assert.Equal(2, losing.Lost);
        await Eventually.TrueAsync(
            async () => (await DeliveriesAsync(engine, owner, webhook)).All(d => d.Status == DeliveryStatus.Succeeded),
            "every delivery queued done");
        var logged = Assert.Single(await DeliveriesAsync(engine, owner, webhook));
        await receiver.WaitForAsync(r => r.Count > 0, "the reaction's delivery");
        var received = Assert.Single(receiver.About("post_id", post.PostId));
        Assert.Equal(logged.DeliveryId, received.Id);
        Assert.Equal("reaction.added", received.Type);
        Assert.Equal(reader, received.Data("actor_id"));
        Assert.Equal("celebrate", received.Data("reaction"));
        Assert.Equal(received.Data("event_id"), received.Id);
    }

    [Fact]
    public async Task A_reactions_event_stored_while_its_registry_is_out_of_reach_is_delivered_after_a_restart_without_the_shard_being_called()
    {
        var stores = await DurableStores.CreateAsync(servers, "outbox-reaction");
        await using var receiver = await WebhookReceiver.StartAsync();
        var losing = new LostHandOns();
        string postId;
        string reader;
        Webhook webhook;
        await using (var engine = await stores.StartEngineAsync("outbox-reaction", builder => builder.Services.AddSingleton<IIncomingGrainCallFilter>(losing), DurableSettings))
        {
            var api = new EngineClient(engine.Channel);
            var owner = await api.CreateUserAsync("owner");
            reader = await api.CreateUserAsync("reader");
            var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
            webhook = await CreateWebhookAsync(engine, owner, group.GroupId, receiver.Url, "reaction.added");
            postId = (await PostHandedOnAsync(api, losing, owner, group.GroupId)).PostId;
            losing.Lose(int.MaxValue);

            await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, Type = ReactionType.Like }, As(reader));

            // Two tries: the first failure set the reminder before the retry was due.
            await Eventually.TrueAsync(() => Task.FromResult(losing.Lost > 1), "the reaction's hand-on tried and lost twice");
        }

        Assert.Empty(receiver.Received);
        Assert.Equal(1L, await OutboxRemindersAsync(stores));
        await using var restarted = await stores.StartEngineAsync("outbox-reaction", DurableSettings);

        // Nothing calls the shard or its post: the reminder brings the shard back.
        var received = (await receiver.WaitForAsync(r => r.Count > 0, "the reaction's delivery after the restart"))[0];
        Assert.Equal("reaction.added", received.Type);
        Assert.Equal(postId, received.Data("post_id"));
        Assert.Equal(reader, received.Data("actor_id"));
        Assert.Equal("like", received.Data("reaction"));
        Assert.Equal(received.Data("event_id"), received.Id);
        Assert.True(received.IsSignedWith(webhook.Secret));
        await Eventually.TrueAsync(
            async () => (await DeliveriesAsync(restarted, webhook.OwnerId, webhook)).SingleOrDefault()?.Status == DeliveryStatus.Succeeded,
            "the delivery logged once, succeeded");
        Assert.Single(receiver.Received);
        await Eventually.TrueAsync(async () => await OutboxRemindersAsync(stores) == 0, "the shard's reminder stopped once its event left");
    }

    [Fact]
    public async Task A_shard_rewritten_whole_by_an_erasure_keeps_its_other_unsent_events_across_a_restart_and_drops_the_erased_reactors()
    {
        var stores = await DurableStores.CreateAsync(servers, "outbox-rewrite");
        await using var receiver = await WebhookReceiver.StartAsync();
        var losing = new LostHandOns();
        string[] settings = [.. DurableSettings, "--Reactions:Shards=1"];
        string kept;
        Webhook webhook;
        await using (var engine = await stores.StartEngineAsync("outbox-rewrite", builder => builder.Services.AddSingleton<IIncomingGrainCallFilter>(losing), settings))
        {
            var api = new EngineClient(engine.Channel);
            var owner = await api.CreateUserAsync("owner");
            var erased = await api.CreateUserAsync("erased");
            kept = await api.CreateUserAsync("kept");
            var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
            webhook = await CreateWebhookAsync(engine, owner, group.GroupId, receiver.Url, "reaction.added");
            var postId = (await PostHandedOnAsync(api, losing, owner, group.GroupId)).PostId;
            losing.Lose(int.MaxValue);

            // One shard: both reactions wait in it, and the erasure writes its whole state again.
            await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, Type = ReactionType.Like }, As(erased));
            await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = postId, Type = ReactionType.Insightful }, As(kept));
            await api.Users.EraseUserAsync(new EraseUserRequest { RequestId = NewRequestId(), UserId = erased, Confirm = true }, As(erased));
            await Eventually.TrueAsync(() => Task.FromResult(losing.Lost > 1), "the reactions' hand-on tried and lost twice");
        }

        await using var restarted = await stores.StartEngineAsync("outbox-rewrite", settings);

        var received = (await receiver.WaitForAsync(r => r.Count > 0, "the kept reaction's delivery after the restart"))[0];
        await Eventually.TrueAsync(
            async () => (await DeliveriesAsync(restarted, webhook.OwnerId, webhook)).All(d => d.Status == DeliveryStatus.Succeeded),
            "every delivery queued done");
        Assert.Single(await DeliveriesAsync(restarted, webhook.OwnerId, webhook));
        Assert.Equal(kept, received.Data("actor_id"));
        Assert.Equal("insightful", received.Data("reaction"));
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task An_event_stored_while_its_registry_is_out_of_reach_is_delivered_after_a_restart_without_its_post_being_called()
    {
        var stores = await DurableStores.CreateAsync(servers, "outbox");
        await using var receiver = await WebhookReceiver.StartAsync();
        var losing = new LostHandOns();
        var settings = DurableSettings;
        string postId;
        Webhook webhook;
        await using (var engine = await stores.StartEngineAsync("outbox", builder => builder.Services.AddSingleton<IIncomingGrainCallFilter>(losing), settings))
        {
            var api = new EngineClient(engine.Channel);
            var owner = await api.CreateUserAsync("owner");
            var group = await api.CreateGroupAsync(owner, GroupVisibility.Open);
            webhook = await CreateWebhookAsync(engine, owner, group.GroupId, receiver.Url);
            losing.Scope = EventScopes.Group(group.GroupId);
            losing.Lose(int.MaxValue);

            postId = (await api.PostAsync(owner, "stored with its event", group.GroupId)).PostId;

            // Two tries: the first failure set the reminder before the retry was due.
            await Eventually.TrueAsync(() => Task.FromResult(losing.Lost > 1), "a hand-on tried and lost twice");
        }

        Assert.Empty(receiver.Received);
        Assert.Equal(1L, await OutboxRemindersAsync(stores));
        await using var restarted = await stores.StartEngineAsync("outbox", settings);

        // Nothing calls the post: the reminder set when its hand-on failed brings it back.
        var received = await receiver.WaitForAsync(r => r.Count == 1, "the post's delivery after the restart");
        Assert.Equal(postId, received[0].Data("post_id"));
        Assert.Equal(received[0].Data("event_id"), received[0].Id);
        Assert.True(received[0].IsSignedWith(webhook.Secret));
        await Eventually.TrueAsync(
            async () => (await DeliveriesAsync(restarted, webhook.OwnerId, webhook)).SingleOrDefault()?.Status == DeliveryStatus.Succeeded,
            "the delivery logged once, succeeded");
        await Eventually.TrueAsync(async () => await OutboxRemindersAsync(stores) == 0, "the post's reminder stopped once its event left");
    }

    // The outbox's reminder has the webhooks' period: short here, so that the restart is followed within seconds.
    private static readonly string[] DurableSettings =
        ["--Webhooks:AllowHttp=true", "--Webhooks:AllowedHosts:0=127.0.0.1", "--Webhooks:ReminderPeriod=00:00:02", "--Network:Admins:0=ops"];

    /// <summary>The outboxes' reminders stored in PostgreSQL: one per grain whose events wait after a failed hand-on.</summary>
    private static async Task<long> OutboxRemindersAsync(DurableStores stores) =>
        (long)(await stores.SqlAsync($"SELECT count(*) FROM rse_reminders WHERE reminder_name = '{HandOnLoop.ReminderName}'"))!;

    /// <summary>An engine in memory whose hand-ons <paramref name="losing"/> loses as told.</summary>
    private static Task<RunningEngine> StartLosingAsync(LostHandOns losing) =>
        RunningEngine.StartAsync("outbox", builder => builder.Services.AddSingleton<IIncomingGrainCallFilter>(losing), WebhookEngineFixture.Settings);

    /// <summary>A post whose own event reached its group's registry: from here on, what the test loses there is the next change's.</summary>
    private static async Task<Post> PostHandedOnAsync(EngineClient api, LostHandOns losing, string author, string groupId)
    {
        losing.Scope = EventScopes.Group(groupId);
        var post = await api.PostAsync(author, "to react to", groupId);
        await Eventually.TrueAsync(() => Task.FromResult(losing.Acknowledged > 0), "the post's hand-on acknowledged");
        return post;
    }

    private static async Task<Webhook> CreateWebhookAsync(RunningEngine engine, string owner, string groupId, string url, string eventType = "post.created")
    {
        var request = new CreateWebhookRequest { RequestId = NewRequestId(), GroupId = groupId, Url = url, EventTypes = { eventType } };
        return await new RseOrleans.Api.V1.Webhooks.WebhooksClient(engine.Channel).CreateWebhookAsync(request, As(owner));
    }

    private static async Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(RunningEngine engine, string owner, Webhook webhook) =>
        (await new RseOrleans.Api.V1.Webhooks.WebhooksClient(engine.Channel).ListDeliveriesAsync(
            new ListDeliveriesRequest { WebhookId = webhook.WebhookId, PageSize = 100 }, As(owner))).Deliveries;
}
