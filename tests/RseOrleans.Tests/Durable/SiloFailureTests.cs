using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class SiloFailureTests(DatabaseServersFixture servers)
{
    private const int Members = 2000;

    [Fact]
    public async Task A_silo_killed_in_the_middle_of_a_fan_out_to_2000_members_leaves_every_feed_with_the_post_exactly_once()
    {
        var stores = await DurableStores.CreateAsync(servers, "kill");
        var cluster = await StartClusterAsync(stores);
        try
        {
            var grains = cluster.Client;
            var members = Enumerable.Range(0, Members).Select(i => $"member-{i:D4}").ToArray();
            var group = grains.GetGrain<IGroupGrain>("all-hands");
            await group.Create("owner", new GroupSpec("All hands", "", GroupVisibility.Open, PostingPolicy.AllMembers), "create");
            await group.AddMembers("owner", members, "directory-sync");

            // Every member has read their feed: each timeline is built and active, so the post must reach it by push.
            await ForEachMemberAsync(members, member => grains.GetGrain<IFeedGrain>(member).ReadBefore(null, 10));

            var source = grains.GetGrain<ISourceGrain>(SourceId.Group("all-hands").Key);
            var publishing = source.PublishOne(new NewPost("owner", "Town hall at five"));
            await Eventually.TrueAsync(async () => await PendingFanoutsAsync(stores) == 1, "the post to be stored and its fan-out to start");

            var host = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(source);
            await cluster.KillSiloAsync(cluster.Silos.Single(silo => silo.SiloAddress.Equals(host)));
            _ = publishing.ContinueWith(task => task.Exception, TaskScheduler.Default); // its silo is gone: the author's call fails
            Assert.Equal(1, await PendingFanoutsAsync(stores));

            await Eventually.TrueAsync(async () => await PendingFanoutsAsync(stores) == 0, "a surviving silo to finish the fan-out");
            var postId = (long)(await stores.SqlAsync("SELECT post_id FROM rse_activity WHERE kind = 1"))!;
            await ForEachMemberAsync(members, async member =>
            {
                var feed = await grains.GetGrain<IFeedGrain>(member).ReadBefore(null, 10);
                Assert.Single(feed.Refs, entry => entry.PostId == postId);
            });
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>
    /// Three silos on PostgreSQL storage. Each silo's share of a fan-out is slowed down, so that the
    /// fan-out lasts seconds and the kill lands in the middle of it; recovery looks every 200 ms.
    /// </summary>
    private static Task<InProcessTestCluster> StartClusterAsync(DurableStores stores) =>
        stores.StartClusterAsync(silos: 3, silo =>
        {
            silo.Services.Configure<FeedOptions>(options =>
            {
                options.FanoutRecoveryAfter = TimeSpan.FromSeconds(1);
                options.FanoutRecoveryInterval = TimeSpan.FromMilliseconds(200);
            });
            silo.AddIncomingGrainCallFilter(async call =>
            {
                if (call.InterfaceMethod.DeclaringType == typeof(IFeedDeliveryService))
                {
                    await Task.Delay(TimeSpan.FromSeconds(2));
                }

                await call.Invoke();
            });
        });

    private static async Task<long> PendingFanoutsAsync(DurableStores stores) =>
        (long)(await stores.SqlAsync("SELECT count(*) FROM rse_fanout_pending"))!;

    private static async Task ForEachMemberAsync(IEnumerable<string> members, Func<string, Task> action)
    {
        foreach (var batch in members.Chunk(100))
        {
            await Task.WhenAll(batch.Select(action));
        }
    }

}
