using System.Net;
using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Webhooks;

[Collection(WebhookEngineCollection.Name)]
public sealed class WebhookDeliveryTests(WebhookEngineFixture engine)
{
    [Fact]
    public async Task A_groups_post_reaches_its_webhook_signed_as_Standard_Webhooks_say_with_ids_and_no_text()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var webhook = await engine.CreateWebhookAsync(owner, receiver.Url, group.GroupId, "post.created");

        var post = await engine.PostAsync(owner, "Quarterly figures are out", group.GroupId);

        var delivery = (await receiver.WaitForAsync(r => r.Count == 1, "the post's delivery")).Single();
        Assert.StartsWith("whsec_", webhook.Secret, StringComparison.Ordinal);
        Assert.True(delivery.IsSignedWith(webhook.Secret), $"signature '{delivery.Signature}' does not verify");
        Assert.False(delivery.IsSignedWith("whsec_" + Convert.ToBase64String(new byte[32])));
        Assert.InRange(long.Parse(delivery.Timestamp, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal("post.created", delivery.Type);
        Assert.Equal(post.PostId, delivery.Data("post_id"));
        Assert.Equal(group.GroupId, delivery.Data("group_id"));
        Assert.Equal(owner, delivery.Data("actor_id"));
        Assert.DoesNotContain("Quarterly", delivery.Body, StringComparison.Ordinal);

        await Eventually.TrueAsync(async () => (await engine.DeliveriesAsync(owner, webhook)).SingleOrDefault()?.Status == DeliveryStatus.Succeeded, "the delivery logged as succeeded");
        var logged = Assert.Single(await engine.DeliveriesAsync(owner, webhook));
        Assert.Equal(delivery.Id, logged.DeliveryId);
        Assert.Equal(200, Assert.Single(logged.Attempts).StatusCode);
    }

    [Fact]
    public async Task A_delivery_answered_500_is_retried_with_the_same_id_until_the_receiver_takes_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, earlier) => (earlier < 2 ? 500 : 204, TimeSpan.Zero);
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var webhook = await engine.CreateWebhookAsync(owner, receiver.Url, group.GroupId, "post.created");

        await engine.PostAsync(owner, "third time lucky", group.GroupId);

        var received = await receiver.WaitForAsync(r => r.Count == 3, "three attempts");
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.All(received, r => Assert.True(r.IsSignedWith(webhook.Secret)));
        await Eventually.TrueAsync(async () => (await engine.DeliveriesAsync(owner, webhook)).Single().Status == DeliveryStatus.Succeeded, "the delivery logged as succeeded");
        var logged = (await engine.DeliveriesAsync(owner, webhook)).Single();
        Assert.Equal([500, 500, 204], logged.Attempts.Select(a => a.StatusCode));
        Assert.Contains("500", logged.Attempts[0].Error, StringComparison.Ordinal);
        Assert.True((await engine.GetWebhookAsync(owner, webhook)).Enabled);
    }

    [Fact]
    public async Task A_receiver_slower_than_the_attempt_timeout_gets_the_delivery_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, earlier) => (200, earlier == 0 ? TimeSpan.FromSeconds(5) : TimeSpan.Zero);
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var webhook = await engine.CreateWebhookAsync(owner, receiver.Url, group.GroupId, "post.created");

        await engine.PostAsync(owner, "slow", group.GroupId);

        await receiver.WaitForAsync(r => r.Count == 2, "a second attempt after the timeout");
        await Eventually.TrueAsync(async () => (await engine.DeliveriesAsync(owner, webhook)).Single().Status == DeliveryStatus.Succeeded, "the delivery logged as succeeded");
        var attempts = (await engine.DeliveriesAsync(owner, webhook)).Single().Attempts;
        Assert.Equal(0, attempts[0].StatusCode);
        Assert.Contains("timed out", attempts[0].Error, StringComparison.Ordinal);
        Assert.Equal(200, attempts[1].StatusCode);
    }

    [Fact]
    public async Task Deliveries_of_one_webhook_arrive_in_the_order_of_their_events_even_across_retries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // Every delivery fails once: the next one must wait for it.
        receiver.Answer = (_, earlier) => (earlier == 0 ? 503 : 200, TimeSpan.Zero);
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.CreateWebhookAsync(owner, receiver.Url, group.GroupId, "post.created", "post.updated", "comment.created");

        var posts = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            posts.Add((await engine.PostAsync(owner, $"post {i}", group.GroupId)).PostId);
        }

        var received = await receiver.WaitForAsync(r => r.Count(d => d.Type == "post.created") == 8, "every post twice (a failure, then the delivery)");
        var order = received.Select(r => r.Data("post_id")).ToArray();
        Assert.Equal(posts.SelectMany(id => new[] { id, id }), order);
    }

    [Fact]
    public async Task Three_failures_in_a_row_disable_the_endpoint_and_tell_its_owner()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => (500, TimeSpan.Zero);
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var webhook = await engine.CreateWebhookAsync(owner, receiver.Url, group.GroupId, "post.created");

        await engine.PostAsync(owner, "nobody home", group.GroupId);

        await receiver.WaitForAsync(r => r.Count == 3, "three attempts");
        await Eventually.TrueAsync(async () => !(await engine.GetWebhookAsync(owner, webhook)).Enabled, "the webhook disabled");
        var disabled = await engine.GetWebhookAsync(owner, webhook);
        Assert.Equal(WebhookDisabledReason.Failures, disabled.DisabledReason);
        await Eventually.TrueAsync(
            async () => (await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), As(owner))).Groups.Any(g => g.Kind == NotificationKind.WebhookDisabled),
            "the owner's notification");

        // Disabled: nothing more is sent, not even a new event.
        await engine.PostAsync(owner, "still nobody", group.GroupId);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(3, receiver.Received.Count);

        // Enabled again, the pending delivery goes first.
        receiver.Answer = (_, _) => (200, TimeSpan.Zero);
        await engine.Webhooks.UpdateWebhookAsync(new UpdateWebhookRequest { RequestId = NewRequestId(), WebhookId = webhook.WebhookId, Enabled = true }, As(owner));
        await receiver.WaitForAsync(r => r.Count == 4, "the pending delivery once enabled");
    }

    [Fact]
    public async Task An_endpoint_answering_410_Gone_is_disabled_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => ((int)HttpStatusCode.Gone, TimeSpan.Zero);
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var webhook = await engine.CreateWebhookAsync(owner, receiver.Url, group.GroupId, "post.created");

        await engine.PostAsync(owner, "gone", group.GroupId);

        await Eventually.TrueAsync(async () => !(await engine.GetWebhookAsync(owner, webhook)).Enabled, "the webhook disabled");
        Assert.Equal(WebhookDisabledReason.Gone, (await engine.GetWebhookAsync(owner, webhook)).DisabledReason);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Webhooks_of_two_groups_disabled_make_one_notification_each_naming_its_group()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => ((int)HttpStatusCode.Gone, TimeSpan.Zero);
        var owner = await engine.CreateUserAsync("owner");
        var first = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var second = await engine.CreateGroupAsync(owner, GroupVisibility.Closed);
        var firstHook = await engine.CreateWebhookAsync(owner, receiver.Url, first.GroupId, "post.created");
        var secondHook = await engine.CreateWebhookAsync(owner, receiver.Url, second.GroupId, "post.created");

        await engine.PostAsync(owner, "gone", first.GroupId);
        await engine.PostAsync(owner, "gone too", second.GroupId);

        await Eventually.TrueAsync(async () => !(await engine.GetWebhookAsync(owner, firstHook)).Enabled && !(await engine.GetWebhookAsync(owner, secondHook)).Enabled, "both webhooks disabled");
        await Eventually.TrueAsync(
            async () => (await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), As(owner))).Groups.Count(g => g.Kind == NotificationKind.WebhookDisabled) == 2,
            "two notifications");
        var disabled = (await engine.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), As(owner))).Groups.Where(g => g.Kind == NotificationKind.WebhookDisabled).ToList();
        Assert.Equal(new[] { first.GroupId, second.GroupId }.Order(StringComparer.Ordinal), disabled.Select(g => g.GroupId).Order(StringComparer.Ordinal));
        Assert.All(disabled, g => Assert.Equal(1L, g.Count));
    }

    [Fact]
    public async Task A_rotated_secret_keeps_signing_beside_the_new_one_and_a_delivery_can_be_sent_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await engine.CreateUserAsync("owner");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        var webhook = await engine.CreateWebhookAsync(owner, receiver.Url, group.GroupId, "post.created");

        var rotated = await engine.Webhooks.UpdateWebhookAsync(
            new UpdateWebhookRequest { RequestId = NewRequestId(), WebhookId = webhook.WebhookId, RotateSecret = true, PreviousSecretValidity = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(1)) },
            As(owner));
        Assert.NotEqual(webhook.Secret, rotated.Secret);
        Assert.NotNull(rotated.PreviousSecretExpireTime);
        Assert.Empty((await engine.GetWebhookAsync(owner, webhook)).Secret);

        await engine.PostAsync(owner, "after rotation", group.GroupId);
        var first = (await receiver.WaitForAsync(r => r.Count == 1, "the delivery")).Single();
        Assert.Equal(2, first.Signature.Split(' ').Length);
        Assert.True(first.IsSignedWith(rotated.Secret));
        Assert.True(first.IsSignedWith(webhook.Secret));

        await Eventually.TrueAsync(async () => (await engine.DeliveriesAsync(owner, webhook)).Single().Status == DeliveryStatus.Succeeded, "the delivery done");
        await engine.Webhooks.RedeliverWebhookAsync(new RedeliverWebhookRequest { RequestId = NewRequestId(), WebhookId = webhook.WebhookId, DeliveryId = first.Id }, As(owner));
        var again = (await receiver.WaitForAsync(r => r.Count == 2, "the redelivery"))[1];
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Body, again.Body);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => engine.Webhooks.RedeliverWebhookAsync(
            new RedeliverWebhookRequest { RequestId = NewRequestId(), WebhookId = webhook.WebhookId, DeliveryId = "evt_nothing" }, As(owner)));
    }

    [Fact]
    public async Task A_network_webhook_hears_every_kind_of_event_from_the_grains_that_own_them()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = await engine.NetworkAdminAsync();
        await engine.CreateWebhookAsync(admin, receiver.Url, "",
            "user.created", "user.deactivated", "member.joined", "member.left", "post.created", "post.updated", "post.deleted", "comment.created", "reaction.added");

        var author = await engine.CreateUserAsync("author");
        var reader = await engine.CreateUserAsync("reader");
        var group = await engine.CreateGroupAsync(author, GroupVisibility.Open);
        await engine.Groups.JoinGroupAsync(new JoinGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(reader));
        var post = await engine.PostAsync(author, "hello", group.GroupId);
        await engine.Posts.CreateCommentAsync(new CreateCommentRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "welcome" }, As(reader));
        await engine.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Celebrate }, As(reader));
        await engine.Posts.UpdatePostAsync(new UpdatePostRequest { RequestId = NewRequestId(), PostId = post.PostId, Text = "hello all" }, As(author));
        await engine.Posts.DeletePostAsync(new DeletePostRequest { RequestId = NewRequestId(), PostId = post.PostId }, As(author));
        await engine.Groups.LeaveGroupAsync(new LeaveGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(reader));
        await engine.Admin.DeactivateUserAsync(new DeactivateUserRequest { RequestId = NewRequestId(), UserId = reader }, As(admin));

        string[] expected = ["post.created", "comment.created", "reaction.added", "post.updated", "post.deleted"];
        await receiver.WaitForAsync(r => expected.All(type => r.Any(d => d.Type == type && d.Data("post_id") == post.PostId)), "every post event");
        await receiver.WaitForAsync(r => r.Any(d => d.Type == "member.left" && d.Data("user_id") == reader && d.Data("group_id") == group.GroupId), "member.left");
        await receiver.WaitForAsync(r => r.Any(d => d.Type == "user.deactivated" && d.Data("user_id") == reader), "user.deactivated");
        var received = receiver.Received;
        Assert.Contains(received, d => d.Type == "user.created" && d.Data("user_id") == author);
        Assert.Contains(received, d => d.Type == "member.joined" && d.Data("user_id") == reader && d.Data("group_id") == group.GroupId);
        Assert.Equal("celebrate", received.Single(d => d.Type == "reaction.added" && d.Data("post_id") == post.PostId).Data("reaction"));
        Assert.Equal(expected, received.Where(d => d.Data("post_id") == post.PostId).Select(d => d.Type));
    }

    [Fact]
    public async Task A_group_webhook_hears_a_member_removed_by_an_admin_and_a_post_shared_into_the_group()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await engine.CreateUserAsync("owner");
        var member = await engine.CreateUserAsync("member");
        var leaver = await engine.CreateUserAsync("leaver");
        var group = await engine.CreateGroupAsync(owner, GroupVisibility.Open);
        await engine.CreateWebhookAsync(owner, receiver.Url, group.GroupId, "member.removed", "member.left", "post.shared");
        await engine.AddMemberAsync(owner, group.GroupId, member);
        await engine.AddMemberAsync(owner, group.GroupId, leaver);

        var original = await engine.PostAsync(owner, "worth sharing");
        var share = await engine.Posts.SharePostAsync(new SharePostRequest { RequestId = NewRequestId(), PostId = original.PostId, GroupId = group.GroupId, Text = "look" }, As(member));
        await engine.Groups.RemoveMemberAsync(new RemoveMemberRequest { RequestId = NewRequestId(), GroupId = group.GroupId, UserId = member }, As(owner));
        await engine.Groups.LeaveGroupAsync(new LeaveGroupRequest { RequestId = NewRequestId(), GroupId = group.GroupId }, As(leaver));

        string[] kinds = ["post.shared", "member.removed", "member.left"];
        await receiver.WaitForAsync(r => kinds.All(kind => r.Any(d => d.Type == kind)), "the share, the removal and the leaving");
        var received = receiver.Received;
        var shared = Assert.Single(received, d => d.Type == "post.shared");
        Assert.Equal(share.PostId, shared.Data("post_id"));
        Assert.Equal(original.PostId, shared.Data("shared_post_id"));
        Assert.Equal(member, shared.Data("actor_id"));
        Assert.Equal(group.GroupId, shared.Data("group_id"));

        // Removed by the owner: the owner is the actor, the member the one concerned; leaving stays member.left.
        var removed = Assert.Single(received, d => d.Type == "member.removed");
        Assert.Equal(owner, removed.Data("actor_id"));
        Assert.Equal(member, removed.Data("user_id"));
        Assert.Equal(leaver, Assert.Single(received, d => d.Type == "member.left").Data("user_id"));
    }
}
