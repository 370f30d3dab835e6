using Orleans.TestingHost;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class ReactionFailureTests(DatabaseServersFixture servers)
{
    private const int Streams = 20;
    private const int ReactionsPerStream = 60;

    [Fact]
    public async Task A_silo_killed_during_a_burst_of_reactions_leaves_every_stored_reaction_noted_for_erasure()
    {
        var stores = await DurableStores.CreateAsync(servers, "react-kill");
        var cluster = await StartClusterAsync(stores);
        try
        {
            var grains = cluster.Client;
            await grains.GetGrain<IUserGrain>("author").Create(new UserProfile("Author", "", "", "", "", "", []));
            var post = await grains.GetGrain<ISourceGrain>(SourceId.User("author").Key).PublishOne(new NewPost("author", "Viral"));
            var users = Enumerable.Range(0, Streams * ReactionsPerStream).Select(i => $"fan-{i:D4}").ToArray();
            var acknowledged = 0;

            // Concurrent streams of reactions, each one after the other, so that the burst lasts
            // many group commits and the kill lands in the middle of some of them.
            var reacting = users.Chunk(ReactionsPerStream).Select(async stream =>
            {
                var failed = 0;
                foreach (var user in stream)
                {
                    try
                    {
                        await Shard(grains, post, user).Add(user, ReactionType.Like);
                        Interlocked.Increment(ref acknowledged);
                    }
                    catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                    {
                        failed++;
                    }
                }

                return failed;
            }).ToArray();
            await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref acknowledged) >= users.Length / 4), "a quarter of the reactions to be acknowledged");

            var host = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IReactionShardGrain>(ReactionShards.Key(post.PostId, 0)));
            await cluster.KillSiloAsync(cluster.Silos.Single(silo => silo.SiloAddress.Equals(host)));
            var failures = (await Task.WhenAll(reacting)).Sum();
            Assert.True(failures > 0, "the kill came before the burst ended and failed reactions in flight");

            // What the shards hold now comes from PostgreSQL for every shard the dead silo had.
            var period = ContentIndex.PeriodOf(post.PostId);
            var stored = 0;
            foreach (var batch in users.Chunk(100))
            {
                await Task.WhenAll(batch.Select(user => Eventually.TrueAsync(async () =>
                {
                    try
                    {
                        if ((await Shard(grains, post, user).GetReactionsOf(user)).Count == 0)
                        {
                            return true;
                        }

                        var noted = await grains.ReactionNotesOf(user, period).GetShardsOf(user);
                        Assert.Contains(new ReactionRef(post.PostId, ReactionShards.ShardOf(user, post.ReactionShards)), noted);
                        Interlocked.Increment(ref stored);
                        return true;
                    }
                    catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                    {
                        // The dead silo's grains answer again once the cluster has noticed it is gone.
                        return false;
                    }
                }, $"the reactions of {user} to be readable")));
            }

            // Every acknowledged reaction is stored; of the failed ones (outcome unknown), some may be.
            Assert.InRange(stored, Volatile.Read(ref acknowledged), users.Length);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static IReactionShardGrain Shard(IGrainFactory grains, PostSnapshot post, string userId) =>
        grains.ReactionShard(post.PostId, post.ReactionShards, userId);

    /// <summary>
    /// Three silos on PostgreSQL storage. Notes are slowed down, so that a commit spends a while
    /// between its notes and its own write: the moment a kill must not turn into a lost note.
    /// </summary>
    private static Task<InProcessTestCluster> StartClusterAsync(DurableStores stores) =>
        stores.StartClusterAsync(silos: 3, silo => silo.AddIncomingGrainCallFilter(async call =>
        {
            if (call.InterfaceMethod.DeclaringType == typeof(IReactionNotesGrain) && call.InterfaceMethod.Name == nameof(IReactionNotesGrain.Note))
            {
                await Task.Delay(10);
            }

            await call.Invoke();
        }));
}
