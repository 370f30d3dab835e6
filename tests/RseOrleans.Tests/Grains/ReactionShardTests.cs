using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ReactionShardTests(ClusterFixture fixture)
{
    private IClusterClient Grains => fixture.Grains;

    [Fact]
    public async Task Concurrent_reactions_spread_over_shards_are_counted_exactly_and_survive_reactivation()
    {
        var post = await NewPostAsync();
        var users = Enumerable.Range(0, 300).Select(i => $"reactor-{i}").ToArray();
        Assert.True(users.Select(u => ReactionShards.ShardOf(u, post.ReactionShards)).Distinct().Count() > 1, "users spread over shards");

        await Task.WhenAll(users.SelectMany(user => new[]
        {
            Shard(post, user).Add(user, ReactionType.Like, $"like-{user}"),
            Shard(post, user).Add(user, ReactionType.Like, $"like-again-{user}"),
            Shard(post, user).Add(user, ReactionType.Support, $"support-{user}"),
        }));
        await Task.WhenAll(users.Take(100).Select(user => Shard(post, user).Remove(user, ReactionType.Support, $"unsupport-{user}")));

        var expected = new Dictionary<ReactionType, int> { [ReactionType.Like] = 300, [ReactionType.Support] = 200 };
        var postGrain = Grains.GetGrain<IPostGrain>(post.PostId);
        Assert.Equal(expected, (await postGrain.Get(users[0]))!.ReactionCounts);

        await fixture.Cluster.DeactivateAsync(postGrain);
        await fixture.Cluster.WaitForDeactivationAsync(postGrain);

        var reactivated = await Grains.GetGrain<IPostGrain>(post.PostId).Get(users[150]);
        Assert.Equal(expected, reactivated!.ReactionCounts);
        Assert.Equal([ReactionType.Like, ReactionType.Support], reactivated.MyReactions);
    }

    [Fact]
    public async Task A_burst_of_reactions_is_written_in_a_few_group_commits_not_one_write_each()
    {
        var post = await NewPostAsync();
        var writesBefore = fixture.Storage.WritesOf("reaction-shard");
        var users = Enumerable.Range(0, 2_000).Select(i => $"burst-{i}").ToArray();

        var summaries = await Task.WhenAll(users.Select(user => Shard(post, user).Add(user, ReactionType.Like, "r")));

        var writes = fixture.Storage.WritesOf("reaction-shard") - writesBefore;
        Assert.True(writes < users.Length / 2, $"{writes} shard writes for {users.Length} reactions");
        Assert.Equal(2_000, summaries.Max(summary => summary.Counts[ReactionType.Like]));
        Assert.Equal(2_000, (await Grains.GetGrain<IPostGrain>(post.PostId).Get("burst-0"))!.ReactionCounts[ReactionType.Like]);
    }

    [Fact]
    public async Task A_retried_reaction_request_returns_the_first_outcome_and_changes_nothing()
    {
        var post = await NewPostAsync();
        var shard = Shard(post, "fan");

        var added = await shard.Add("fan", ReactionType.Celebrate, "r1");
        await shard.Remove("fan", ReactionType.Celebrate, "r2");
        var retried = await shard.Add("fan", ReactionType.Celebrate, "r1");

        Assert.Equal(1, added.Counts[ReactionType.Celebrate]);
        Assert.Empty(retried.Counts);
        Assert.Empty(retried.MyReactions);
    }

    private IReactionShardGrain Shard(PostSnapshot post, string userId) => Grains.ReactionShard(post.PostId, post.ReactionShards, userId);

    private async Task<PostSnapshot> NewPostAsync()
    {
        var author = await fixture.CreateUserAsync("author");
        return await Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).Publish(new NewPost(author, "Viral news", "p1"));
    }
}
