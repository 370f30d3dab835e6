using System.Diagnostics;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Silo.Hosting;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class RedisLossTests(DatabaseServersFixture servers)
{
    [Fact]
    public async Task After_Redis_loses_everything_the_cluster_restores_its_membership_stays_serving_and_a_silo_still_leaves_quickly()
    {
        var stores = await DurableStores.CreateAsync(servers, "redisloss");
        var clusterId = $"--Orleans:ClusterId=redisloss-{Guid.NewGuid():N}";
        await using var first = await stores.StartEngineAsync("first", clusterId);
        await using var second = await stores.StartEngineAsync("second", clusterId);
        var management = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);
        // Each silo copies the table every period: a silo that joined within the last one may be in
        // no copy yet (docs/deployment.md says so).
        await Task.Delay(MembershipTableKeeper.Period * 2);

        await servers.Redis.FlushAllAsync();

        // GetHosts reads the membership table in Redis: it answers again once the table is back.
        var lost = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => await ActiveSilosAsync(management) == 2, "the membership table to be restored");
        Assert.InRange(lost.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        foreach (var engine in new[] { first, second })
        {
            var health = await new Health.HealthClient(engine.Channel).CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }

        // Leaving writes to the table: a silo that cannot must not hold its pod past Kubernetes'
        // grace period (60 s, k8s/silo-deployment.yaml) as it did, for 70 s, before.
        var stop = Stopwatch.StartNew();
        await second.StopAsync();
        Assert.InRange(stop.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(async () => await ActiveSilosAsync(management) == 1, "the stopped silo to have left the table");
    }

    private static async Task<int> ActiveSilosAsync(IManagementGrain management)
    {
        try
        {
            return (await management.GetHosts(onlyActive: true)).Count;
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            return -1;
        }
    }
}
