using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

/// <summary>Notifications are grain state in PostgreSQL: groups, counts and markers are kept across a restart.</summary>
[Collection(DatabaseServersCollection.Name)]
public sealed class NotificationsDurableTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task Notifications_and_markers_survive_a_restart()
    {
        var stores = await DurableStores.CreateAsync(servers, "notifications");
        string author;
        Markers markers;
        await using (var engine = await stores.StartEngineAsync("notifications"))
        {
            var api = new EngineClient(engine.Channel);
            author = await api.CreateUserAsync("author");
            var fans = new[] { await api.CreateUserAsync("fan"), await api.CreateUserAsync("fan") };
            var post = await api.PostAsync(author, "Keep count");
            foreach (var fan in fans)
            {
                await api.Posts.AddReactionAsync(new AddReactionRequest { RequestId = NewRequestId(), PostId = post.PostId, Type = ReactionType.Like }, As(fan));
            }

            await Eventually.TrueAsync(
                async () => (await api.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), As(author))).Groups.SingleOrDefault()?.Count == 2,
                "two reactions counted");
            markers = await api.Notifications.MarkNotificationsReadAsync(new MarkNotificationsReadRequest { RequestId = NewRequestId(), AlsoSeen = true }, As(author));
        }

        await using var restarted = await stores.StartEngineAsync("notifications");
        var again = new EngineClient(restarted.Channel);
        var groups = (await again.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), As(author))).Groups;
        Assert.Equal(2, Assert.Single(groups).Count);
        Assert.False(groups[0].Unread);
        Assert.Equal(markers, await again.Notifications.GetMarkersAsync(new GetMarkersRequest(), As(author)));
        Assert.Equal(0, (await again.Notifications.GetUnreadCountAsync(new GetUnreadCountRequest(), As(author))).Notifications);
    }
}
