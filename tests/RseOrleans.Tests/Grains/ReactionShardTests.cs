using RseOrleans.Api.Reactions;
using RseOrleans.Grains;
using RseOrleans.Grains.Reactions;
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
            Shard(post, user).Add(user, ReactionType.Like),
            Shard(post, user).Add(user, ReactionType.Like),
            Shard(post, user).Add(user, ReactionType.Support),
        }));
        await Task.WhenAll(users.Take(100).Select(user => Shard(post, user).Remove(user, ReactionType.Support)));

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

        var summaries = await Task.WhenAll(users.Select(user => Shard(post, user).Add(user, ReactionType.Like)));

        var writes = fixture.Storage.WritesOf("reaction-shard") - writesBefore;
        Assert.True(writes < users.Length / 2, $"{writes} shard writes for {users.Length} reactions");
        Assert.Equal(2_000, summaries.Max(summary => summary.Counts[ReactionType.Like]));
        Assert.Equal(2_000, (await Grains.GetGrain<IPostGrain>(post.PostId).Get("burst-0"))!.ReactionCounts[ReactionType.Like]);
    }

    [Fact]
    public async Task A_batch_of_changes_is_applied_in_order_and_answers_each_change_its_own_outcome()
    {
        var post = await NewPostAsync();
        var shard = Grains.GetGrain<IReactionShardGrain>(ReactionShards.Key(post.PostId, 0));
        await shard.Add("erased-reactor", ReactionType.Like);
        await shard.EraseUser("erased-reactor");

        var outcomes = await shard.ApplyAll(
        [
            new ReactionChange("ann", ReactionType.Like, Remove: false),
            new ReactionChange("bob", ReactionType.Like, Remove: false),
            new ReactionChange("erased-reactor", ReactionType.Like, Remove: false),
            new ReactionChange("ann", ReactionType.Support, Remove: false),
            new ReactionChange("bob", ReactionType.Like, Remove: true),
            new ReactionChange("ann", ReactionType.Like, Remove: false), // ann likes it again: counted once
        ]);

        Assert.Equal([ReactionType.Like, ReactionType.Support], outcomes[0].Unwrap().MyReactions);
        Assert.Empty(outcomes[1].Unwrap().MyReactions);
        Assert.Equal(DomainError.PermissionDenied, Assert.Throws<DomainException>(() => outcomes[2].Unwrap()).Error);
        Assert.Equal(new Dictionary<ReactionType, int> { [ReactionType.Like] = 1, [ReactionType.Support] = 1 }, outcomes[5].Unwrap().Counts);
        Assert.Equal(outcomes[5].Unwrap().Counts, (await Grains.GetGrain<IPostGrain>(post.PostId).Get("ann"))!.ReactionCounts);
    }

    [Fact]
    public async Task The_api_sends_a_hot_posts_reactions_to_each_shard_in_a_few_calls_and_answers_every_reactor()
    {
        var post = await NewPostAsync();
        var batcher = new ReactionBatcher(Grains);
        var users = Enumerable.Range(0, 2_000).Select(i => $"batched-{i}").ToArray();

        var summaries = await Task.WhenAll(users.Select(user => batcher.AddAsync(post.PostId, post.ReactionShards, user, ReactionType.Like)));

        Assert.All(summaries, summary => Assert.Equal([ReactionType.Like], summary.MyReactions));
        Assert.Equal(2_000, summaries.Max(summary => summary.Counts[ReactionType.Like]));
        Assert.Equal(2_000, (await Grains.GetGrain<IPostGrain>(post.PostId).Get("batched-0"))!.ReactionCounts[ReactionType.Like]);
        var shardCalls = Enumerable.Range(0, post.ReactionShards)
            .Sum(shard => fixture.CallsTo(nameof(IReactionShardGrain.ApplyAll), ReactionShards.Key(post.PostId, shard)));
        Assert.InRange(shardCalls, post.ReactionShards, users.Length / 10);
    }

    [Fact]
    public async Task A_burst_of_first_reactions_is_noted_for_erasure_in_a_few_writes_and_no_content_index_write()
    {
        var post = await NewPostAsync();
        var notesBefore = fixture.Storage.WritesOf("reaction-notes");
        var indexesBefore = fixture.Storage.WritesOf("content-index");
        var users = Enumerable.Range(0, 2_000).Select(i => $"first-{i}-{Guid.NewGuid():N}").ToArray();

        await Task.WhenAll(users.Select(user => Shard(post, user).Add(user, ReactionType.Like)));

        var notes = fixture.Storage.WritesOf("reaction-notes") - notesBefore;
        Assert.True(notes < users.Length / 2, $"{notes} note writes for {users.Length} first reactions");
        Assert.Equal(0, fixture.Storage.WritesOf("content-index") - indexesBefore);
        var period = ContentIndex.PeriodOf(post.PostId);
        var noted = await Task.WhenAll(users.Select(user => Grains.ReactionNotesOf(user, period).GetShardsOf(user)));
        Assert.All(users.Zip(noted), pair => Assert.Contains(
            new ReactionRef(post.PostId, ReactionShards.ShardOf(pair.First, post.ReactionShards)), pair.Second));
    }

    [Fact]
    public async Task A_reaction_whose_note_cannot_be_saved_is_never_stored_and_its_retry_is()
    {
        var post = await NewPostAsync();
        var users = Enumerable.Range(0, 200).Select(i => $"outage-{i}-{Guid.NewGuid():N}").ToArray();
        var postGrain = Grains.GetGrain<IPostGrain>(post.PostId);

        using (fixture.Storage.FailWritesOf("reaction-notes"))
        {
            var attempts = users.Select(user => Shard(post, user).Add(user, ReactionType.Like)).ToArray();
            foreach (var attempt in attempts)
            {
                var error = await Assert.ThrowsAsync<DomainException>(() => attempt);
                Assert.Equal(DomainError.Unavailable, error.Error);
            }
        }

        Assert.Empty((await postGrain.Get(post.AuthorId))!.ReactionCounts);
        Assert.All(await Task.WhenAll(users.Select(user => Shard(post, user).GetReactionsOf(user))), Assert.Empty);

        var retried = await Task.WhenAll(users.Select(user => Shard(post, user).Add(user, ReactionType.Like)));

        Assert.Equal(users.Length, retried.Max(summary => summary.Counts[ReactionType.Like]));
        var period = ContentIndex.PeriodOf(post.PostId);
        Assert.All(await Task.WhenAll(users.Select(user => Grains.ReactionNotesOf(user, period).GetShardsOf(user))), Assert.NotEmpty);
    }

    [Fact]
    public async Task A_commit_writes_one_small_slot_of_recent_changes_and_the_whole_shard_rarely()
    {
        var post = await NewPostAsync();
        var slotWritesBefore = SlotWrites();
        var wholeBefore = fixture.Storage.WritesOfState("reactions");

        // Long ids fill the slots fast: a few hundred reactions fill all four.
        var users = UsersOfShard(post, 0, 1_500, i => $"{new string('x', 80)}-{i}-{Guid.NewGuid():N}");
        foreach (var wave in users.Chunk(100))
        {
            await Task.WhenAll(wave.Select(user => Shard(post, user).Add(user, ReactionType.Like)));
        }

        var slotWrites = SlotWrites() - slotWritesBefore;
        var wholeWrites = fixture.Storage.WritesOfState("reactions") - wholeBefore;
        var changeBytes = users.Sum(user => user.Length + 3); // operation, type, length, id
        Assert.True(slotWrites >= users.Length / 100, $"{slotWrites} writes of a slot: at least one per wave");
        Assert.InRange(wholeWrites, 1, (changeBytes / (RecentChanges.Slots * RecentChanges.SlotBytes)) + 1);
    }

    [Fact]
    public async Task A_reactivated_shard_holds_its_stored_state_and_recent_changes()
    {
        var post = await NewPostAsync();
        var users = UsersOfShard(post, 0, 1_000, i => $"{new string('y', 200)}-{i}-{Guid.NewGuid():N}");
        var shard = Grains.GetGrain<IReactionShardGrain>(ReactionShards.Key(post.PostId, 0));
        await Task.WhenAll(users.Select(user => shard.Add(user, ReactionType.Like)));
        await Task.WhenAll(users.Take(300).Select(user => shard.Remove(user, ReactionType.Like)));
        await Task.WhenAll(users.Take(100).Select(user => shard.Add(user, ReactionType.Support)));
        var fan = users[^1];
        await shard.Add(fan, ReactionType.Celebrate);
        await shard.Remove(fan, ReactionType.Celebrate);

        await fixture.Cluster.DeactivateAsync(shard);
        await fixture.Cluster.WaitForDeactivationAsync(shard);

        var expected = new Dictionary<ReactionType, int> { [ReactionType.Like] = 700, [ReactionType.Support] = 100 };
        Assert.Equal(expected, await shard.GetCounts());
        Assert.Equal([ReactionType.Support], await shard.GetReactionsOf(users[0]));
        Assert.Equal([ReactionType.Like], await shard.GetReactionsOf(fan));
    }

    [Fact]
    public async Task An_erased_users_reactions_are_stored_nowhere_in_the_shard_not_even_in_stale_slots()
    {
        var post = await NewPostAsync();
        var users = UsersOfShard(post, 0, 400, i => $"{new string('z', 80)}-{i}-{Guid.NewGuid():N}");
        var shard = Grains.GetGrain<IReactionShardGrain>(ReactionShards.Key(post.PostId, 0));
        var erasedUser = users[^1];

        // Enough to fill the slots and rewrite the whole shard, leaving stale slots stored.
        foreach (var wave in users.Chunk(50))
        {
            await Task.WhenAll(wave.Select(user => shard.Add(user, ReactionType.Like)));
        }

        await shard.Add(erasedUser, ReactionType.Insightful);
        Assert.Equal(2, await shard.EraseUser(erasedUser));

        var grain = shard.GetGrainId();
        var whole = fixture.Storage.Stored<ReactionShardState>("reactions", grain)!;
        Assert.DoesNotContain(whole.Reactors.Values, reactors => reactors.Contains(erasedUser));
        var name = System.Text.Encoding.UTF8.GetBytes(erasedUser);
        foreach (var slot in Enumerable.Range(0, RecentChanges.Slots))
        {
            var stored = fixture.Storage.Stored<RecentReactionChangesState>($"reactions-recent-{slot}", grain);
            Assert.True(stored is null || stored.Changes.AsSpan().IndexOf(name) < 0, $"slot {slot} still names the erased user");
        }

        await fixture.Cluster.DeactivateAsync(shard);
        await fixture.Cluster.WaitForDeactivationAsync(shard);
        Assert.Equal(new Dictionary<ReactionType, int> { [ReactionType.Like] = users.Length - 1 }, await shard.GetCounts());
    }

    private int SlotWrites() =>
        Enumerable.Range(0, RecentChanges.Slots).Sum(slot => fixture.Storage.WritesOfState($"reactions-recent-{slot}"));

    private static string[] UsersOfShard(PostSnapshot post, int shard, int count, Func<int, string> name) =>
        Enumerable.Range(0, int.MaxValue).Select(name)
            .Where(user => ReactionShards.ShardOf(user, post.ReactionShards) == shard)
            .Take(count)
            .ToArray();

    [Fact]
    public async Task A_viewer_whose_shard_holds_no_reaction_is_answered_without_asking_a_shard()
    {
        var post = await NewPostAsync();
        var ann = $"ann-{Guid.NewGuid():N}";
        var bob = Enumerable.Range(0, 100).Select(i => $"bob-{i}-{Guid.NewGuid():N}")
            .First(user => ReactionShards.ShardOf(user, post.ReactionShards) != ReactionShards.ShardOf(ann, post.ReactionShards));
        await Shard(post, ann).Add(ann, ReactionType.Like);
        var postGrain = Grains.GetGrain<IPostGrain>(post.PostId);

        var before = fixture.CallsSnapshot();
        var seenByBob = await postGrain.Get(bob);
        var seenByAnn = await postGrain.Get(ann);
        var asked = ShardReadsOf(post, fixture.CallsSnapshot(), before);

        Assert.Equal(1, seenByBob!.ReactionCounts[ReactionType.Like]);
        Assert.Empty(seenByBob.MyReactions);
        Assert.Equal([ReactionType.Like], seenByAnn!.MyReactions);
        Assert.Equal([ReactionShards.Key(post.PostId, ReactionShards.ShardOf(ann, post.ReactionShards))], asked);

        // Once her shard holds nothing again, not even hers is asked.
        await Shard(post, ann).Remove(ann, ReactionType.Like);
        before = fixture.CallsSnapshot();
        Assert.Empty((await postGrain.Get(ann))!.MyReactions);
        Assert.Empty(ShardReadsOf(post, fixture.CallsSnapshot(), before));
    }

    private static string[] ShardReadsOf(PostSnapshot post, IReadOnlyDictionary<(string Method, string Key), int> after, IReadOnlyDictionary<(string Method, string Key), int> before) =>
        [.. after.Where(call => call.Key.Method == nameof(IReactionShardGrain.GetReactionsOf)
                && call.Key.Key.StartsWith($"{post.PostId}/", StringComparison.Ordinal)
                && call.Value > before.GetValueOrDefault(call.Key))
            .Select(call => call.Key.Key)];

    private IReactionShardGrain Shard(PostSnapshot post, string userId) => Grains.ReactionShard(post.PostId, post.ReactionShards, userId);

    private async Task<PostSnapshot> NewPostAsync()
    {
        var author = await fixture.CreateUserAsync("author");
        return await Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishOne(new NewPost(author, "Viral news"));
    }
}
