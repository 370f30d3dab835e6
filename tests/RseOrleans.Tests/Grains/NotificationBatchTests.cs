using RseOrleans.Api.Reactions;
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

    [Fact]
    public async Task A_post_with_100000_reactions_gives_its_author_one_group_whose_count_is_exact()
    {
        const int Reactors = 100_000;
        var author = await fixture.CreateUserAsync("viral-author");
        var post = await fixture.Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishOne(new NewPost(author, "Viral news"));
        var batcher = new ReactionBatcher(fixture.Grains);
        var reactors = Enumerable.Range(0, Reactors).Select(i => $"viral-{i}").ToArray();

        // In waves of a hot post's bursts, sent as the API sends them; a few change their mind, and the author's own reaction counts nothing.
        foreach (var wave in reactors.Chunk(5_000))
        {
            await Task.WhenAll(wave.Select(user => batcher.AddAsync(post.PostId, post.ReactionShards, user, ReactionType.Like)));
        }

        await Task.WhenAll(reactors.Take(100).Select(user => batcher.RemoveAsync(post.PostId, post.ReactionShards, user, ReactionType.Like)));
        await batcher.AddAsync(post.PostId, post.ReactionShards, author, ReactionType.Like);

        var notifications = fixture.Grains.GetGrain<INotificationsGrain>(author);
        await Eventually.TrueAsync(
            async () => (await notifications.GetUnread()) is [{ Count: Reactors - 100 }],
            "the author's one group to count every reactor left");
        var group = Assert.Single(await notifications.GetUnread());
        Assert.Equal(NotificationKind.ReactionToPost, group.Kind);
        Assert.Equal(Reactors + 1 - 100, (await fixture.Grains.GetGrain<IPostGrain>(post.PostId).Get(author))!.ReactionCounts[ReactionType.Like]);
    }

    private static async Task<NotificationGroup> ApplyAsync(INotificationsGrain notifications, NotificationEvent[] acts)
    {
        var before = await notifications.GetLastChange();
        await notifications.Apply(acts);
        await Eventually.TrueAsync(async () => await notifications.GetLastChange() > before, "the batch to be applied");
        return Assert.Single(await notifications.GetUnread());
    }
}
