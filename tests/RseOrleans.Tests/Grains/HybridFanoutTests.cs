using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Core.Internal;
using Orleans.Runtime.Placement;
using RseOrleans.Grains;
using RseOrleans.Grains.Fanout;
using RseOrleans.Grains.Feeds;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class HybridFanoutTests(ClusterFixture fixture)
{
    private IClusterClient Grains => fixture.Grains;

    [Fact]
    public async Task A_large_audience_pulls_the_post_at_read_time_instead_of_receiving_it()
    {
        var (group, source, members) = await GroupAsync(ClusterFixture.PushThreshold + 3);

        var post = await source.PublishOne(new NewPost(members[0], "All-hands at noon"));

        Assert.Contains(SourceId.Group(group).Key, await Grains.GetGrain<IPullRegistryGrain>(0).GetPulledSources());
        foreach (var member in members)
        {
            Assert.Equal([post.PostId], await PostIdsAsync(member));
        }
    }

    [Fact]
    public async Task Switching_between_push_and_pull_as_the_audience_grows_and_shrinks_loses_nothing()
    {
        var (group, source, members) = await GroupAsync(3);
        var groupGrain = Grains.GetGrain<IGroupGrain>(group);
        var owner = members[0];

        var pushed = await source.PublishOne(new NewPost(owner, "pushed to three"));
        var newcomers = await UsersAsync(ClusterFixture.PushThreshold);
        foreach (var newcomer in newcomers)
        {
            await groupGrain.AddMember(owner, newcomer, $"add-{newcomer}");
        }

        var pulled1 = await source.PublishOne(new NewPost(owner, "pulled by the whole audience"));
        var pulled2 = await source.PublishOne(new NewPost(owner, "pulled again"));

        // Member 1 never read while the group was pulled; then the group shrinks below three
        // quarters of the threshold and goes back to push.
        foreach (var leaving in newcomers.Append(members[2]))
        {
            await groupGrain.RemoveMember(owner, leaving, $"remove-{leaving}");
        }

        var pushedAgain = await source.PublishOne(new NewPost(owner, "pushed to three again"));

        Assert.DoesNotContain(SourceId.Group(group).Key, await Grains.GetGrain<IPullRegistryGrain>(0).GetPulledSources());
        var all = new[] { pushedAgain.PostId, pulled2.PostId, pulled1.PostId, pushed.PostId };
        Assert.Equal(all, await PostIdsAsync(owner));
        Assert.Equal(all, await PostIdsAsync(members[1]));
        Assert.Empty(await PostIdsAsync(members[2]));
        Assert.Empty(await PostIdsAsync(newcomers[0]));
    }

    [Fact]
    public async Task Readers_whose_feed_left_memory_are_skipped_and_find_a_complete_feed_when_they_come_back_and_deliveries_write_nothing()
    {
        var (_, source, members) = await GroupAsync(ClusterFixture.PushThreshold);
        var (active, inactive) = (members[1], members[2]);
        await PostIdsAsync(active);
        var inactiveFeed = Grains.GetGrain<IFeedGrain>(inactive);
        await fixture.Cluster.DeactivateAsync(inactiveFeed);
        await fixture.Cluster.WaitForDeactivationAsync(inactiveFeed);

        var feedWrites = fixture.Storage.WritesOf("feed");
        var post = await source.PublishOne(new NewPost(members[0], "Town hall moved to Friday"));

        Assert.Equal(feedWrites, fixture.Storage.WritesOf("feed"));
        Assert.False(fixture.Cluster.TryGetGrainContext(inactiveFeed.GetGrainId(), out _), "the inactive reader's feed was not woken");
        Assert.Equal([post.PostId], await PostIdsAsync(active));
        Assert.Equal([post.PostId], await PostIdsAsync(inactive));
    }

    [Fact]
    public async Task A_feed_in_memory_but_never_read_shows_what_was_posted_meanwhile_at_its_first_read()
    {
        var (_, source, members) = await GroupAsync(2);
        var reader = members[1]; // joining the group put their feed in memory

        var first = await source.PublishOne(new NewPost(members[0], "before the first read"));
        var second = await source.PublishOne(new NewPost(members[0], "still before it"));

        Assert.Equal([second.PostId, first.PostId], await PostIdsAsync(reader));
        var third = await source.PublishOne(new NewPost(members[0], "after it"));
        Assert.Equal([third.PostId, second.PostId, first.PostId], await PostIdsAsync(reader));
    }

    [Fact]
    public async Task A_pushed_post_reaches_the_feeds_in_memory_on_every_silo_without_a_call_to_their_grain_unless_watched()
    {
        // Nineteen readers: their feed grains are spread over both silos of the test cluster.
        var (_, source, members) = await GroupAsync(20);
        var readers = members.Skip(1).ToList();
        var watched = readers[0];
        foreach (var reader in readers)
        {
            await PostIdsAsync(reader);
        }

        var hosts = await SpreadOverBothSilosAsync(readers);
        await Grains.GetGrain<IFeedGrain>(watched).Watch(Guid.NewGuid(), TimeSpan.FromMinutes(1));

        var post = await source.PublishOne(new NewPost(members[0], "Lunch is on us"));

        Assert.Equal(2, hosts.Distinct().Count());
        foreach (var reader in readers)
        {
            Assert.Equal([post.PostId], await PostIdsAsync(reader));
            Assert.Equal(reader == watched ? 1 : 0, fixture.CallsTo(nameof(IFeedGrain.Deliver), reader)); // a watched feed is called, to wake its watchers
        }
    }

    [Fact]
    public async Task A_sender_whose_view_of_the_cluster_lacks_a_silo_still_reaches_the_feeds_there()
    {
        var (group, source, members) = await GroupAsync(20);
        var readers = members.Skip(1).ToList();
        foreach (var reader in readers)
        {
            await PostIdsAsync(reader);
        }

        var hosts = await SpreadOverBothSilosAsync(readers);
        var published = await source.PublishOne(new NewPost(members[0], "Quarterly results"));
        var late = new FeedDelivery(SourceId.Group(group), published.PostId + 1);
        var sender = fixture.Cluster.Silos[0];

        // As a silo that has not heard of the other one yet: it sends to itself only.
        var delivered = await sender.ServiceProvider.GetRequiredService<FeedDeliveryClient>()
            .DeliverAsKnownAsync(late, [.. readers], [sender.SiloAddress]);

        Assert.True(delivered);
        Assert.Contains(hosts, host => !sender.SiloAddress.Equals(host));
        foreach (var reader in readers)
        {
            Assert.Equal([late.PostId, published.PostId], await PostIdsAsync(reader));
        }
    }

    [Fact]
    public async Task A_feed_leaves_memory_after_going_unread_for_the_inactivity_setting()
    {
        var silo = fixture.Cluster.Silos[0].ServiceProvider;
        var feedOptions = silo.GetRequiredService<IOptions<FeedOptions>>().Value;
        var collection = silo.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;

        Assert.Equal(feedOptions.InactiveAfter, collection.ClassSpecificCollectionAge[typeof(FeedGrain).FullName!]);
    }

    [Fact]
    public async Task A_burst_from_a_pulled_source_reaches_a_reader_whole_not_only_its_newest_posts()
    {
        var (_, source, members) = await GroupAsync(ClusterFixture.PushThreshold + 3);
        var reader = members[1];
        await source.PublishOne(new NewPost(members[0], "before the burst"));
        await PostIdsAsync(reader);

        // More posts at once than a newly joined member is backfilled with (Feed:BackfillPerSource, 50).
        var burst = new List<long>();
        for (var i = 1; i <= 60; i++)
        {
            burst.Add((await source.PublishOne(new NewPost(members[0], $"burst {i}"))).PostId);
        }

        var feed = await Grains.GetGrain<IFeedGrain>(reader).ReadBefore(null, 100);
        Assert.Equal(((IEnumerable<long>)burst).Reverse(), feed.Refs.Take(60).Select(entry => entry.PostId));
        Assert.Equal(61, feed.Refs.Count);
    }

    /// <summary>
    /// Where each reader's feed lives, once both silos hold some: placement may put them all on one
    /// silo (it weighs the silos' load), so every other one is moved to the other silo.
    /// </summary>
    private async Task<SiloAddress?[]> SpreadOverBothSilosAsync(List<string> readers)
    {
        var hosts = await HostsAsync(readers);
        if (hosts.Distinct().Count() < 2)
        {
            var other = fixture.Cluster.Silos.First(silo => !silo.SiloAddress.Equals(hosts[0])).SiloAddress;
            foreach (var reader in readers.Where((_, i) => i % 2 == 1))
            {
                await OnSiloAsync(reader, other);
            }

            hosts = await HostsAsync(readers);
        }

        return hosts;
    }

    /// <summary>Moves a reader's feed to <paramref name="silo"/> (a migration, which takes a placement hint), and waits until it is there.</summary>
    private async Task OnSiloAsync(string reader, SiloAddress silo)
    {
        var feed = Grains.GetGrain<IFeedGrain>(reader);
        var management = Grains.GetGrain<IManagementGrain>(0);
        for (var attempt = 0; attempt < 50 && !silo.Equals(await management.GetActivationAddress(feed)); attempt++)
        {
            RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
            try
            {
                await feed.AsReference<IGrainManagementExtension>().MigrateOnIdle();
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }

            await feed.ReadBefore(null, 50);
            await Task.Delay(20);
        }
    }

    private async Task<SiloAddress?[]> HostsAsync(List<string> readers)
    {
        var management = Grains.GetGrain<IManagementGrain>(0);
        return await Task.WhenAll(readers.Select(reader => management.GetActivationAddress(Grains.GetGrain<IFeedGrain>(reader)).AsTask()));
    }

    private async Task<List<long>> PostIdsAsync(string userId) =>
        (await Grains.GetGrain<IFeedGrain>(userId).ReadBefore(null, 50)).Refs.Select(r => r.PostId).ToList();

    private async Task<(string GroupId, ISourceGrain Source, List<string> Members)> GroupAsync(int size)
    {
        var members = await UsersAsync(size);
        var groupId = $"g-{Guid.NewGuid():N}";
        var group = Grains.GetGrain<IGroupGrain>(groupId);
        await group.Create(members[0], new GroupSpec("Company", "", GroupVisibility.Open, PostingPolicy.AllMembers), "create");
        foreach (var member in members.Skip(1))
        {
            await group.AddMember(members[0], member, $"add-{member}");
        }

        return (groupId, Grains.GetGrain<ISourceGrain>(SourceId.Group(groupId).Key), members);
    }

    private async Task<List<string>> UsersAsync(int count)
    {
        var users = new List<string>();
        for (var i = 0; i < count; i++)
        {
            users.Add(await fixture.CreateUserAsync("user"));
        }

        return users;
    }
}
