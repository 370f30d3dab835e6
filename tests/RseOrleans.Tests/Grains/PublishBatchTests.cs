using RseOrleans.Api.Publishing;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class PublishBatchTests(ClusterFixture fixture)
{
    private IClusterClient Grains => fixture.Grains;

    [Fact]
    public async Task A_batch_of_posts_gets_an_id_each_reaches_every_feed_once_in_order_and_writes_the_source_once()
    {
        var (_, source, members) = await GroupAsync(5);
        var writesBefore = fixture.Storage.WritesOf("source", source.GetGrainId());

        var outcomes = await source.PublishAll([.. Enumerable.Range(0, 6).Select(i => new NewPost(members[i % members.Count], $"update {i}"))]);

        var posts = outcomes.Select(outcome => outcome.Unwrap()).ToArray();
        Assert.Equal(posts.Select(post => post.PostId).Order(), posts.Select(post => post.PostId));
        Assert.Equal(6, posts.Select(post => post.PostId).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"update {i}"), posts.Select(post => post.Text));
        Assert.Equal(1, fixture.Storage.WritesOf("source", source.GetGrainId()) - writesBefore);
        var newestFirst = posts.Select(post => post.PostId).Reverse().ToList();
        foreach (var member in members)
        {
            Assert.Equal(newestFirst, await PostIdsAsync(member));
        }

        Assert.Equal(newestFirst, await source.GetRecent(before: null, count: 10));
    }

    [Fact]
    public async Task A_batch_refuses_a_non_owners_profile_post_alone()
    {
        var alice = await fixture.CreateUserAsync("alice");
        var follower = await fixture.CreateUserAsync("follower");
        var mallory = await fixture.CreateUserAsync("mallory");
        await Grains.GetGrain<IUserGrain>(follower).Follow(alice);
        var source = Grains.GetGrain<ISourceGrain>(SourceId.User(alice).Key);
        var earlier = await source.PublishOne(new NewPost(alice, "Earlier news"));

        var outcomes = await source.PublishAll(
        [
            new NewPost(alice, "Fresh news"),
            new NewPost(mallory, "Posted on someone else's profile"),
        ]);

        var fresh = outcomes[0].Unwrap();
        Assert.Null(outcomes[1].Value);
        Assert.Equal(DomainError.PermissionDenied, Assert.Throws<DomainException>(() => outcomes[1].Unwrap()).Error);
        Assert.Equal([fresh.PostId, earlier.PostId], await PostIdsAsync(follower));
        Assert.Equal([fresh.PostId, earlier.PostId], await PostIdsAsync(alice));
    }

    [Fact]
    public async Task Posts_that_cannot_be_stored_fail_alone_commit_nothing_and_are_published_when_retried()
    {
        var alice = await fixture.CreateUserAsync("alice");
        var follower = await fixture.CreateUserAsync("follower");
        await Grains.GetGrain<IUserGrain>(follower).Follow(alice);
        var source = Grains.GetGrain<ISourceGrain>(SourceId.User(alice).Key);
        var earlier = await source.PublishOne(new NewPost(alice, "Earlier news"));
        var writesBefore = fixture.Storage.WritesOf("source", source.GetGrainId());

        BatchOutcome<PostSnapshot>[] during;
        using (fixture.Storage.FailWritesOf("post"))
        {
            during = await source.PublishAll(
            [
                new NewPost(alice, "Lost for now"),
                new NewPost(alice, "Also lost for now"),
            ]);
        }

        Assert.Equal([DomainError.Unavailable, DomainError.Unavailable], during.Select(outcome => Assert.Throws<DomainException>(() => outcome.Unwrap()).Error));
        Assert.Equal(0, fixture.Storage.WritesOf("source", source.GetGrainId()) - writesBefore);
        Assert.Equal([earlier.PostId], await PostIdsAsync(follower));

        var retried = await source.PublishAll([new NewPost(alice, "Lost for now"), new NewPost(alice, "Also lost for now")]);

        var ids = retried.Select(outcome => outcome.Unwrap().PostId).ToArray();
        Assert.Equal([ids[1], ids[0], earlier.PostId], await PostIdsAsync(follower));
    }

    [Fact]
    public async Task A_post_stored_before_the_log_failed_is_acknowledged_and_reaches_its_audience_once_the_log_is_back()
    {
        var alice = await fixture.CreateUserAsync("alice");
        var follower = await fixture.CreateUserAsync("follower");
        await Grains.GetGrain<IUserGrain>(follower).Follow(alice);
        var source = Grains.GetGrain<ISourceGrain>(SourceId.User(alice).Key);
        var earlier = await source.PublishOne(new NewPost(alice, "Earlier news"));
        Assert.Equal([earlier.PostId], await PostIdsAsync(follower));

        PostSnapshot stored;
        using (fixture.ActivityLog.FailAppends())
        {
            // Committed by the source, then the log refuses it: the author is answered, since a
            // retry would otherwise publish the same text a second time.
            stored = await source.PublishOne(new NewPost(alice, "Stored, then the log went away"));
            Assert.Equal([earlier.PostId], await PostIdsAsync(follower));
        }

        await Eventually.TrueAsync(async () => (await PostIdsAsync(follower)).Count == 2, "the stored post's fan-out to be finished");
        Assert.Equal([stored.PostId, earlier.PostId], await PostIdsAsync(follower));
    }

    [Fact]
    public async Task Batches_to_a_pulled_source_and_back_to_push_lose_nothing_and_deliver_nothing_twice()
    {
        var (group, source, members) = await GroupAsync(ClusterFixture.PushThreshold + 3);
        var groupGrain = Grains.GetGrain<IGroupGrain>(group);
        var owner = members[0];

        var pulled = (await source.PublishAll([new NewPost(owner, "pulled 1"), new NewPost(owner, "pulled 2")]))
            .Select(outcome => outcome.Unwrap().PostId).ToArray();
        Assert.Contains(SourceId.Group(group).Key, await Grains.GetGrain<IPullRegistryGrain>(0).GetPulledSources());

        // Member 1 never read while the group was pulled; then the group shrinks and goes back to push.
        foreach (var leaving in members.Skip(3))
        {
            await groupGrain.RemoveMember(owner, leaving, $"remove-{leaving}");
        }

        var pushed = (await source.PublishAll([new NewPost(owner, "pushed 1"), new NewPost(members[2], "pushed 2")]))
            .Select(outcome => outcome.Unwrap().PostId).ToArray();

        Assert.DoesNotContain(SourceId.Group(group).Key, await Grains.GetGrain<IPullRegistryGrain>(0).GetPulledSources());
        var all = pushed.Reverse().Concat(pulled.Reverse()).ToList();
        foreach (var member in members.Take(3))
        {
            Assert.Equal(all, await PostIdsAsync(member));
        }
    }

    [Fact]
    public async Task The_api_sends_a_busy_sources_posts_in_a_few_calls_and_answers_every_author_their_own_post_or_refusal()
    {
        var author = await fixture.CreateUserAsync("author");
        var reader = await fixture.CreateUserAsync("reader");
        var mallory = await fixture.CreateUserAsync("mallory");
        await Grains.GetGrain<IUserGrain>(reader).Follow(author);
        var profile = SourceId.User(author);
        var batcher = new PublishBatcher(Grains);

        var published = Enumerable.Range(0, 100)
            .Select(i => batcher.PublishAsync(profile, new NewPost(author, $"note {i}")))
            .ToArray();
        var intrusion = batcher.PublishAsync(profile, new NewPost(mallory, "not my profile"));
        var posts = await Task.WhenAll(published);

        Assert.Equal(DomainError.PermissionDenied, (await Assert.ThrowsAsync<DomainException>(() => intrusion)).Error);
        Assert.Equal(100, posts.Select(post => post.PostId).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"note {i}"), posts.Select(post => post.Text));
        Assert.Equal(posts.Select(post => post.PostId).Order().Reverse(), await PostIdsAsync(reader, 150));
        Assert.InRange(fixture.CallsTo(nameof(ISourceGrain.PublishAll), profile.Key), 2, 100 / 4);
    }

    private async Task<List<long>> PostIdsAsync(string userId, int count = 50) =>
        (await Grains.GetGrain<IFeedGrain>(userId).ReadBefore(null, count)).Refs.Select(r => r.PostId).ToList();

    private async Task<(string GroupId, ISourceGrain Source, List<string> Members)> GroupAsync(int size)
    {
        var members = new List<string>();
        for (var i = 0; i < size; i++)
        {
            members.Add(await fixture.CreateUserAsync("member"));
        }

        var groupId = $"g-{Guid.NewGuid():N}";
        var group = Grains.GetGrain<IGroupGrain>(groupId);
        await group.Create(members[0], new GroupSpec("Company", "", GroupVisibility.Open, PostingPolicy.AllMembers), "create");
        await Task.WhenAll(members.Skip(1).Select(member => group.AddMember(members[0], member, $"add-{member}")));
        return (groupId, Grains.GetGrain<ISourceGrain>(SourceId.Group(groupId).Key), members);
    }
}
