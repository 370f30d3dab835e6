using RseOrleans.Grains;
using RseOrleans.Grains.PersonalData;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

/// <summary>The content index behind export and erasure, and what erasure leaves no room for.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PersonalDataTests(ClusterFixture fixture)
{
    private IClusterClient Grains => fixture.Grains;

    [Fact]
    public async Task Calls_still_in_flight_when_a_user_is_erased_can_write_nothing_for_them()
    {
        var alice = await fixture.CreateUserAsync("alice");
        var bob = await fixture.CreateUserAsync("bob");
        var bobsPost = await PublishAsync(bob, "Bob's news");
        await PublishAsync(alice, "Before");
        var open = Grains.GetGrain<IGroupGrain>($"g-{Guid.NewGuid():N}");
        await open.Create(bob, new GroupSpec("Open", "", GroupVisibility.Open, PostingPolicy.AllMembers), "c");
        var closed = Grains.GetGrain<IGroupGrain>($"g-{Guid.NewGuid():N}");
        await closed.Create(bob, new GroupSpec("Closed", "", GroupVisibility.Closed, PostingPolicy.AllMembers), "c");

        await Grains.GetGrain<IPersonalDataGrain>(alice).Erase(alice, "erase");

        // What a call that passed its checks just before the erasure would do next.
        await Refused(() => PublishAsync(alice, "After"));
        await Refused(() => Grains.GetGrain<IPostGrain>(bobsPost.PostId).AddComment(alice, "Late remark", 0));
        await Refused(() => Grains.ReactionShard(bobsPost.PostId, bobsPost.ReactionShards, alice).Add(alice, ReactionType.Like));
        await Refused(() => Grains.GetGrain<IUserGrain>(bob).Follow(alice));
        await Refused(() => open.AddMember(bob, alice, "a1"));
        await Refused(() => closed.Join(alice));

        var post = await Grains.GetGrain<IPostGrain>(bobsPost.PostId).Get(bob);
        Assert.Equal((0, 0), (post!.CommentCount, post.ReactionCounts.Count));
        Assert.Equal(0, (await Grains.GetGrain<IUserGrain>(bob).Get())!.FollowingCount);
        Assert.Equal(1, (await open.Get())!.MemberCount);
        Assert.Null(await closed.GetMembershipOf(alice));
        Assert.Empty(await Grains.GetGrain<ISourceGrain>(SourceId.User(alice).Key).GetRecent(null, 10));
        var export = await Grains.GetGrain<IPersonalDataGrain>(alice).Export();
        Assert.Equal((AccountStatus.Erased, 0, 0, 0), (export.Account.Status, export.Posts.Count, export.Comments.Count, export.Reactions.Count));
    }

    [Fact]
    public async Task Erasing_reactors_drops_counts_exactly_across_shards_even_after_reactions_were_taken_back_and_given_again()
    {
        var author = await fixture.CreateUserAsync("author");
        var post = await PublishAsync(author, "Viral");
        var users = Enumerable.Range(0, 60).Select(i => $"fan-{i}-{Guid.NewGuid():N}").ToArray();
        foreach (var user in users)
        {
            await Grains.GetGrain<IUserGrain>(user).Create(new UserProfile(user, "", "", "", "", "", []));
        }

        await Task.WhenAll(users.Select(user => Shard(post, user).Add(user, ReactionType.Like)));
        await Task.WhenAll(users.Take(20).Select(user => Shard(post, user).Add(user, ReactionType.Support)));
        await Task.WhenAll(users.Take(10).Select(async user =>
        {
            await Shard(post, user).Remove(user, ReactionType.Like);
            await Shard(post, user).Add(user, ReactionType.Like);
        }));

        var reports = await Task.WhenAll(users.Where((_, i) => i % 2 == 0).Select(user => Grains.GetGrain<IPersonalDataGrain>(user).Erase(user, "erase")));

        Assert.Equal(30 + 10, reports.Sum(report => report.ReactionsRemoved));
        var counts = (await Grains.GetGrain<IPostGrain>(post.PostId).Get(author))!.ReactionCounts;
        Assert.Equal(new Dictionary<ReactionType, int> { [ReactionType.Like] = 30, [ReactionType.Support] = 10 }, counts);
    }

    [Fact]
    public async Task Reaction_notes_of_a_period_listed_after_an_erasure_refuse_the_erased_user()
    {
        var alice = await fixture.CreateUserAsync("alice");
        await Grains.GetGrain<IPersonalDataGrain>(alice).Erase(alice, "erase");

        // A period no post has reached yet: its notes grain lists itself now, after the erasure.
        var now = await PublishAsync(await fixture.CreateUserAsync("bob"), "Now");
        var period = ContentIndex.PeriodOf(now.PostId) + 100;
        var late = new ReactionRef(((long)period << 53) + 1, 0);
        var refused = await Grains.ReactionNotesOf(alice, period).Note(late, [alice]);

        Assert.Equal([alice], refused);
        Assert.DoesNotContain(late, await Grains.ReactionNotesOf(alice, period).GetShardsOf(alice));
    }

    [Fact]
    public async Task Reaction_notes_keep_every_note_as_they_grow_and_forget_only_the_user_erased()
    {
        // A period of its own, far ahead, so that the grain holds only this test's notes.
        var now = await PublishAsync(await fixture.CreateUserAsync("bob"), "Now");
        var period = ContentIndex.PeriodOf(now.PostId) + 200;
        var notes = Grains.GetGrain<IReactionNotesGrain>(ReactionNotes.Key(3, period));
        var users = Enumerable.Range(0, 50).Select(i => $"heavy-{i}-{Guid.NewGuid():N}").ToArray();
        var shards = Enumerable.Range(0, 100).Select(i => new ReactionRef(((long)period << 53) + i, i % 8)).ToArray();

        // About 250 KB of notes, in concurrent batches as shards send them.
        await Task.WhenAll(shards.Select(shard => notes.Note(shard, users)));
        var erased = users[7];
        Assert.Equal(shards.Length, (await notes.Seal(erased)).Count);
        await notes.Forget(erased);
        await fixture.Cluster.DeactivateAsync(notes);
        await fixture.Cluster.WaitForDeactivationAsync(notes);

        Assert.Empty(await notes.GetShardsOf(erased));
        Assert.Equal(shards.ToHashSet(), (await notes.GetShardsOf(users[8])).ToHashSet());
        Assert.Equal([erased], await notes.Note(shards[0], [erased]));
    }

    [Fact]
    public async Task Content_that_is_gone_leaves_its_authors_index()
    {
        var alice = await fixture.CreateUserAsync("alice");
        var bob = await fixture.CreateUserAsync("bob");
        var post = await PublishAsync(alice, "Short-lived");
        var kept = await PublishAsync(alice, "Kept");
        var postGrain = Grains.GetGrain<IPostGrain>(post.PostId);
        var onDeletedPost = await postGrain.AddComment(bob, "Gone with the post", 0);
        var deleted = await Grains.GetGrain<IPostGrain>(kept.PostId).AddComment(bob, "Taken back", 0);
        var remaining = await Grains.GetGrain<IPostGrain>(kept.PostId).AddComment(bob, "Stays", 0);

        Assert.Equal(
            [onDeletedPost.CommentId, deleted.CommentId, remaining.CommentId],
            (await IndexedCommentsAsync(bob)).Order());

        await Grains.GetGrain<IPostGrain>(kept.PostId).DeleteComment(bob, deleted.CommentId);
        await postGrain.Delete(alice);

        Assert.Equal([remaining.CommentId], await IndexedCommentsAsync(bob));
        Assert.Equal([remaining.CommentId], (await Grains.GetGrain<IPersonalDataGrain>(bob).Export()).Comments.Select(c => c.CommentId));
        Assert.Equal([kept.PostId], (await Grains.GetGrain<IPersonalDataGrain>(alice).Export()).Posts.Select(p => p.PostId));
    }

    [Fact]
    public async Task A_prolific_author_is_indexed_in_bounded_parts_and_export_and_erasure_still_find_everything()
    {
        var bot = await fixture.CreateUserAsync("bot");
        var posts = new List<PostSnapshot>();
        var source = Grains.GetGrain<ISourceGrain>(SourceId.User(bot).Key);
        foreach (var batch in Enumerable.Range(0, 2 * ContentIndexGrain.EntriesPerGrain + 10).Chunk(100))
        {
            var outcomes = await source.PublishAll([.. batch.Select(i => new NewPost(bot, $"Build {i} passed"))]);
            posts.AddRange(outcomes.Select(outcome => outcome.Unwrap()));
        }

        var comment = await Grains.GetGrain<IPostGrain>(posts[0].PostId).AddComment(bot, "Flaky test retried", 0);
        var periodKey = ContentIndex.Key(bot, ContentIndex.PeriodOf(posts[0].PostId));
        // 1,011 entries: 500 in the period's grain, 500 in its first overflow part, 11 in the second.
        var overflow = await OverflowSizesAsync(periodKey);
        Assert.Equal([ContentIndexGrain.EntriesPerGrain, 11], overflow);

        var export = await Grains.GetGrain<IPersonalDataGrain>(bot).Export();
        Assert.Equal(posts.Select(p => p.PostId).Order(), export.Posts.Select(p => p.PostId).Order());
        Assert.Equal([comment.CommentId], export.Comments.Select(c => c.CommentId));

        await Grains.GetGrain<IPersonalDataGrain>(bot).Erase(bot, "erase");
        Assert.Null(await Grains.GetGrain<IPostGrain>(posts[^1].PostId).Get(bot));
        Assert.Null(await Grains.GetGrain<IPostGrain>(posts[0].PostId).GetComment(comment.CommentId));
    }

    /// <summary>Entries held by the period's grain itself and by each overflow part.</summary>
    private async Task<int[]> OverflowSizesAsync(string periodKey)
    {
        var sizes = new List<int>();
        for (var part = 1; ; part++)
        {
            var entries = await Grains.GetGrain<IContentIndexGrain>($"{periodKey}/{part}").Get();
            if (entries.Posts.Count + entries.Comments.Count == 0)
            {
                return [.. sizes];
            }

            sizes.Add(entries.Posts.Count + entries.Comments.Count);
        }
    }

    private async Task<IEnumerable<long>> IndexedCommentsAsync(string userId)
    {
        var periods = await Grains.GetGrain<IContentDirectoryGrain>(userId).GetPeriods();
        var entries = await Task.WhenAll(periods.Select(period => Grains.GetGrain<IContentIndexGrain>(ContentIndex.Key(userId, period)).Get()));
        return entries.SelectMany(e => e.Comments).Select(c => c.CommentId).ToArray();
    }

    private static async Task Refused(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<DomainException>(call);
        Assert.Contains(error.Error, new[] { DomainError.PermissionDenied, DomainError.NotFound });
    }

    private IReactionShardGrain Shard(PostSnapshot post, string userId) => Grains.ReactionShard(post.PostId, post.ReactionShards, userId);

    private Task<PostSnapshot> PublishAsync(string author, string text) =>
        Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishOne(new NewPost(author, text));
}
