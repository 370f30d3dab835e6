using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

/// <summary>
/// A reaction shard's commit reaches the author as one batch of acts on one post: the batch counts
/// every act and names the newest reactors first, exactly as the acts one by one would.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NotificationBatchTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_batch_of_reactions_counts_each_act_and_names_the_newest_reactors_first()
    {
        var author = await fixture.CreateUserAsync("author");
        var notifications = fixture.Grains.GetGrain<INotificationsGrain>(author);
        var post = NotificationTarget.Post(42, null);
        var at = DateTimeOffset.UtcNow;
        NotificationEvent Reaction(string actor, bool withdraw = false) => new(NotificationKind.ReactionToPost, post, actor, at, withdraw);

        // Apply is one way: each batch is read back once its change is there.
        var group = await ApplyAsync(notifications, [.. "abcdefg".Select(actor => Reaction(actor.ToString()))]);
        Assert.Equal(7, group.Count);
        Assert.Equal(["g", "f", "e", "d", "c"], group.RecentActors);

        // The next commit: one stopped reacting, one started, and the author's own reaction counts nothing.
        group = await ApplyAsync(notifications, [Reaction("f", withdraw: true), Reaction("h"), Reaction(author)]);
        Assert.Equal(7, group.Count);
        Assert.Equal(["h", "g", "e", "d", "c"], group.RecentActors);

        group = await ApplyAsync(notifications, [Reaction("i"), Reaction("j"), Reaction(author), Reaction("k")]);
        Assert.Equal(10, group.Count);
        Assert.Equal(["k", "j", "i", "h", "g"], group.RecentActors);
    }

    private static async Task<NotificationGroup> ApplyAsync(INotificationsGrain notifications, NotificationEvent[] acts)
    {
        var before = await notifications.GetLastChange();
        await notifications.Apply(acts);
        await Eventually.TrueAsync(async () => await notifications.GetLastChange() > before, "the batch to be applied");
        return Assert.Single(await notifications.GetUnread());
    }
}
