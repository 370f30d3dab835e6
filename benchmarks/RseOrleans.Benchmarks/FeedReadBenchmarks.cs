using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.Hydration;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Silo;

namespace RseOrleans.Benchmarks;

/// <summary>
/// A page of 20 hydrated home-feed items for a reader who follows 50 colleagues with 20 posts
/// each: read inside the engine, over gRPC on loopback, and 64 gRPC reads at once by 64 such
/// readers (throughput: many people reading at the same time, as in a real network).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class FeedReadBenchmarks
{
    private const string Reader = "reader";
    private const int Concurrent = 64;
    private WebApplication app = null!;
    private GrpcChannel channel = null!;
    private Feeds.FeedsClient feeds = null!;
    private FeedPager pager = null!;
    private IFeedGrain feed = null!;
    private readonly Metadata asReader = new() { { "x-rse-user", Reader } };
    private readonly Metadata[] asConcurrentReaders = [.. Enumerable.Range(0, Concurrent).Select(i => new Metadata { { "x-rse-user", $"{Reader}-{i}" } })];

    [GlobalSetup]
    public async Task SetUp()
    {
        app = RseHost.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Orleans:SiloPort={BenchmarkSilo.FreePort()}",
            $"--Orleans:GatewayPort={BenchmarkSilo.FreePort()}",
            $"--Orleans:ClusterId=bench-{Guid.NewGuid():N}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        pager = app.Services.GetRequiredService<FeedPager>();
        feed = grains.GetGrain<IFeedGrain>(Reader);

        var profile = new UserProfile("Colleague", "Engineer", "Engineering", "Paris", "Europe/Paris", "fr-FR", ["Orleans"]);
        var readers = Enumerable.Range(0, Concurrent).Select(i => $"{Reader}-{i}").Prepend(Reader).ToArray();
        foreach (var reader in readers)
        {
            await grains.GetGrain<IUserGrain>(reader).Create(profile with { DisplayName = "Reader" }, "create");
        }

        for (var a = 0; a < 50; a++)
        {
            var author = $"author-{a}";
            await grains.GetGrain<IUserGrain>(author).Create(profile, "create");
            for (var p = 0; p < 20; p++)
            {
                await grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).Publish(new NewPost(author, $"Update {p} from {author}", $"post-{p}"));
            }

            await Task.WhenAll(readers.Select(reader => grains.GetGrain<IUserGrain>(reader).Follow(author, $"follow-{a}")));
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        channel = GrpcChannel.ForAddress(address);
        feeds = new Feeds.FeedsClient(channel);
        await GrpcPageOnLoopback();
        await GrpcPagesConcurrently();
    }

    [GlobalCleanup]
    public async Task TearDown()
    {
        channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task<FeedPage> HydratedPageInProcess() => pager.ReadPageAsync(feed.ReadBefore, null, 20, Reader, "home");

    [Benchmark]
    public Task<FeedPage> GrpcPageOnLoopback() => ReadOverGrpc(asReader);

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task GrpcPagesConcurrently() => Task.WhenAll(asConcurrentReaders.Select(ReadOverGrpc));

    private Task<FeedPage> ReadOverGrpc(Metadata caller) =>
        feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 20 }, caller).ResponseAsync;
}
