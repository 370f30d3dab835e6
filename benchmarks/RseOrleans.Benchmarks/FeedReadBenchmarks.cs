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
/// each: read inside the engine, over gRPC on loopback, and 64 gRPC reads at once (throughput).
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
        await grains.GetGrain<IUserGrain>(Reader).Create(profile with { DisplayName = "Reader" }, "create");
        for (var a = 0; a < 50; a++)
        {
            var author = $"author-{a}";
            await grains.GetGrain<IUserGrain>(author).Create(profile, "create");
            await grains.GetGrain<IUserGrain>(Reader).Follow(author, $"follow-{a}");
            for (var p = 0; p < 20; p++)
            {
                await grains.GetGrain<ISourceGrain>(SourceId.User(author).Key).Publish(new NewPost(author, $"Update {p} from {author}", $"post-{p}"));
            }
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        channel = GrpcChannel.ForAddress(address);
        feeds = new Feeds.FeedsClient(channel);
        await GrpcPageOnLoopback();
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
    public Task<FeedPage> GrpcPageOnLoopback() => feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 20 }, asReader).ResponseAsync;

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task GrpcPagesConcurrently() =>
        Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => GrpcPageOnLoopback()));
}
