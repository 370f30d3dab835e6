using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Tests.Fixtures;
using RseOrleans.Tests.Fixtures.Servers;
using Xunit.Abstractions;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Durable;

[Collection(DatabaseServersCollection.Name)]
public sealed class SiloKillTests(DatabaseServersFixture servers, ITestOutputHelper output)
{
    /// <summary>How long the survivors may fail calls for the grains a killed silo held (docs/architecture.md).</summary>
    private static readonly TimeSpan AllowedStall = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task After_a_silo_process_is_killed_reads_through_the_survivors_of_the_grains_it_held_succeed_again_within_5_seconds()
    {
        var stores = await DurableStores.CreateAsync(servers, "silokill");
        var clusterId = $"--Orleans:ClusterId=silokill-{Guid.NewGuid():N}";
        await using var first = await stores.StartEngineAsync("first", clusterId);
        await using var second = await stores.StartEngineAsync("second", clusterId);
        await using var doomed = await stores.StartEngineProcessAsync(clusterId);
        var grains = first.Services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);
        await Eventually.TrueAsync(async () => (await management.GetHosts(onlyActive: true)).Count == 3, "three silos in the cluster");
        var survivors = new[] { first, second }.Select(engine => engine.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress).ToHashSet();

        // Accounts created through the doomed engine, until a few live on its silo: Orleans places
        // by the silos' load, and a busy machine can send many elsewhere.
        var reader = await new EngineClient(first.Channel).CreateUserAsync("reader");
        var doomedApi = new EngineClient(doomed.Channel);
        var onDoomedSilo = new List<string>();
        for (var i = 0; i < 200 && onDoomedSilo.Count < 5; i++)
        {
            var user = await doomedApi.CreateUserAsync("user");
            if (await management.GetActivationAddress(grains.GetGrain<IUserGrain>(user)) is { } host && !survivors.Contains(host))
            {
                onDoomedSilo.Add(user);
            }
        }

        Assert.NotEmpty(onDoomedSilo);
        var readers = new[] { new EngineClient(first.Channel), new EngineClient(second.Channel) };
        // Both survivors have read them once: they know (and cache) where those grains live.
        Assert.Empty(await ReadAllAsync(readers, onDoomedSilo, reader));

        var sinceKill = Stopwatch.StartNew();
        await doomed.KillAsync();
        var failures = new List<(TimeSpan At, RpcException Error)>();
        TimeSpan? recovered = null;
        for (var cleanRounds = 0; cleanRounds < 5;)
        {
            Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(60), "reads through the survivors never recovered");
            var failed = await ReadAllAsync(readers, onDoomedSilo, reader);
            failures.AddRange(failed.Select(error => (sinceKill.Elapsed, error)));
            (recovered, cleanRounds) = failed.Count == 0 ? (recovered ?? sinceKill.Elapsed, cleanRounds + 1) : ((TimeSpan?)null, 0);
            await Task.Delay(100);
        }

        output.WriteLine($"{onDoomedSilo.Count} accounts on the killed silo; reads recovered after {recovered!.Value.TotalSeconds:F1} s; {failures.Count} failed reads");
        foreach (var (at, error) in failures.Take(10))
        {
            output.WriteLine($"  {at.TotalSeconds:F1} s: {error.StatusCode} {error.Status.Detail}");
        }

        Assert.InRange(recovered.Value, TimeSpan.Zero, AllowedStall);
        // What failed meanwhile said what it was and what to do, for a read.
        Assert.All(failures, failure =>
        {
            Assert.Equal(StatusCode.Unavailable, failure.Error.StatusCode);
            Assert.DoesNotContain("request_id", failure.Error.Status.Detail, StringComparison.Ordinal);
        });
    }

    private static async Task<List<RpcException>> ReadAllAsync(IEnumerable<EngineClient> readers, IEnumerable<string> users, string reader)
    {
        var reads = readers.SelectMany(api => users.Select(async user =>
        {
            try
            {
                await api.Users.GetUserAsync(new GetUserRequest { UserId = user }, As(reader), deadline: DateTime.UtcNow.AddSeconds(10));
                return null;
            }
            catch (RpcException error)
            {
                return error;
            }
        }));
        return [.. (await Task.WhenAll(reads)).OfType<RpcException>()];
    }
}
