using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class FeedDeliveryTests(ClusterFixture fixture)
{
    private IClusterClient Grains => fixture.Grains;

    [Fact]
    public async Task A_group_post_reaches_every_members_feed_exactly_once()
    {
        var (groupId, members) = await CreateGroupWithMembersAsync(300);

        var post = await Grains.GetGrain<ISourceGrain>(SourceId.Group(groupId).Key)
            .PublishOne(new NewPost(members[0], "Quarterly results are out"));
        // A repeated delivery, as after a retried fan-out, must not duplicate the entry.
        await Grains.GetGrain<IFeedGrain>(members[1]).Deliver(new FeedDelivery(SourceId.Group(groupId), post.PostId));

        foreach (var member in members)
        {
            var page = await Grains.GetGrain<IFeedGrain>(member).ReadBefore(null, 10);
            Assert.Equal([post.PostId], page.Refs.Select(r => r.PostId));
        }
    }

    [Fact]
    public async Task A_reactivated_feed_is_rebuilt_from_its_sources()
    {
        var reader = await fixture.CreateUserAsync("reader");
        var authors = new[] { await fixture.CreateUserAsync("author"), await fixture.CreateUserAsync("author") };
        foreach (var author in authors)
        {
            await Grains.GetGrain<IUserGrain>(reader).Follow(author);
        }

        var posted = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            var author = authors[i % 2];
            var post = await Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key)
                .PublishOne(new NewPost(author, $"post {i}"));
            posted.Add(post.PostId);
        }

        var feed = Grains.GetGrain<IFeedGrain>(reader);
        var before = await feed.ReadBefore(null, 50);
        await fixture.Cluster.DeactivateAsync(feed);
        await fixture.Cluster.WaitForDeactivationAsync(feed);
        var after = await Grains.GetGrain<IFeedGrain>(reader).ReadBefore(null, 50);

        Assert.Equal(posted.AsEnumerable().Reverse(), before.Refs.Select(r => r.PostId));
        Assert.Equal(before.Refs.Select(r => r.PostId), after.Refs.Select(r => r.PostId));
    }

    [Fact]
    public async Task A_reader_who_never_posted_keeps_no_source_in_memory_once_their_feed_is_rebuilt()
    {
        var reader = await fixture.CreateUserAsync("reader");
        var author = await fixture.CreateUserAsync("author");
        await Grains.GetGrain<IUserGrain>(reader).Follow(author);
        var theirs = await Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishOne(new NewPost(author, "Welcome"));
        var feed = Grains.GetGrain<IFeedGrain>(reader);
        await fixture.Cluster.DeactivateAsync(feed);
        await fixture.Cluster.WaitForDeactivationAsync(feed);

        Assert.Equal([theirs.PostId], (await feed.ReadBefore(null, 10)).Refs.Select(r => r.PostId));

        // The rebuild asked the reader's own source, which had nothing to give and leaves memory soon after.
        var ownSource = Grains.GetGrain<ISourceGrain>(SourceId.User(reader).Key);
        Assert.Equal(1, fixture.CallsTo(nameof(ISourceGrain.GetRecent), SourceId.User(reader).Key));
        var management = Grains.GetGrain<IManagementGrain>(0);
        await Eventually.TrueAsync(
            async () => !(await management.GetActiveGrains(GrainType.Create("source"))).Contains(ownSource.GetGrainId()),
            "the reader's empty source to leave memory");

        var mine = await ownSource.PublishOne(new NewPost(reader, "My first post"));
        Assert.Equal([mine.PostId, theirs.PostId], (await feed.ReadBefore(null, 10)).Refs.Select(r => r.PostId));
    }

    [Fact]
    public async Task Following_backfills_recent_posts_and_unfollowing_removes_them()
    {
        var reader = await fixture.CreateUserAsync("reader");
        var author = await fixture.CreateUserAsync("author");
        var early = await Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishOne(new NewPost(author, "before the follow"));

        var user = Grains.GetGrain<IUserGrain>(reader);
        Assert.True(await user.Follow(author));
        Assert.False(await user.Follow(author));
        var late = await Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).PublishOne(new NewPost(author, "after the follow"));

        var feed = Grains.GetGrain<IFeedGrain>(reader);
        Assert.Equal([late.PostId, early.PostId], (await feed.ReadBefore(null, 10)).Refs.Select(r => r.PostId));

        Assert.True(await user.Unfollow(author));
        Assert.Empty((await feed.ReadBefore(null, 10)).Refs);
        Assert.Equal(0, await Grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).GetAudienceCount());
    }

    private async Task<(string GroupId, List<string> Members)> CreateGroupWithMembersAsync(int count)
    {
        var members = new List<string>();
        for (var i = 0; i < count; i++)
        {
            members.Add(await fixture.CreateUserAsync("member"));
        }

        var groupId = $"g-{Guid.NewGuid():N}";
        var group = Grains.GetGrain<IGroupGrain>(groupId);
        await group.Create(members[0], new GroupSpec("Team", "", GroupVisibility.Open, PostingPolicy.AllMembers), "create");
        await Task.WhenAll(members.Skip(1).Select(m => group.AddMember(members[0], m, $"add-{m}")));
        return (groupId, members);
    }
}
