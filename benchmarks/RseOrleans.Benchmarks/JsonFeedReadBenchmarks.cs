using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RseOrleans.Api.V1;
using RseOrleans.Grains;
using RseOrleans.Model;
using RseOrleans.Silo.Hosting;

namespace RseOrleans.Benchmarks;

/// <summary>
/// Home-feed reads per second over gRPC and over JSON in the same run, against the same engine:
/// 64 readers at once, each following 50 colleagues with 20 posts each, a page of 20 hydrated items
/// per read, every call with a bearer token the engine verifies (as in <see cref="FeedReadBenchmarks"/>).
/// JSON goes over HTTP/1.1 on the engine's HTTP/1.1 port (one connection per reader in flight, as
/// browsers and HTTP libraries pool them) and over cleartext HTTP/2 on the gRPC port. Each client
/// reads its whole answer into a document: the generated gRPC client deserializes protobuf, the
/// JSON clients parse with System.Text.Json. Reads per second = 1 s / the mean time per operation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyColumns))]
public class JsonFeedReadBenchmarks : IDisposable
{
    private const int Concurrent = 64;
    private const string HomePage = "/v1/feeds/home?page_size=20";

    private BenchmarkEngine engine = null!;
    private Feeds.FeedsClient feeds = null!;
    private HttpClient http11 = null!;
    private HttpClient http2 = null!;
    private readonly string[] readers = [.. Enumerable.Range(0, Concurrent).Select(i => $"json-reader-{i}")];
    private Metadata[] grpcCallers = null!;
    private AuthenticationHeaderValue[] bearers = null!;

    [GlobalSetup]
    public async Task SetUp()
    {
        engine = await BenchmarkEngine.StartAsync(BenchmarkTokens.EngineArguments);
        var grains = engine.Grains;
        await ColleagueNetwork.SeedAsync(grains, readers);

        grpcCallers = [.. readers.Select(BenchmarkTokens.Caller)];
        bearers = [.. grpcCallers.Select(caller => AuthenticationHeaderValue.Parse(caller.GetValue("authorization")!))];
        feeds = new Feeds.FeedsClient(engine.Channel);
        var endpoints = engine.Services.GetRequiredService<EngineEndpoints>();
        http11 = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrent })
        {
            BaseAddress = endpoints.Http1Addresses[0],
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        http2 = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
        {
            BaseAddress = endpoints.Http2Addresses[0],
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        // Every transport answers the same full page before anything is measured.
        var grpcItems = (await feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 20 }, grpcCallers[0])).Items.Count;
        var http11Items = await ReadJsonAsync(http11, 0);
        var http2Items = await ReadJsonAsync(http2, 0);
        if (grpcItems != 20 || http11Items != 20 || http2Items != 20)
        {
            throw new InvalidOperationException($"a page holds 20 items: gRPC {grpcItems}, JSON/1.1 {http11Items}, JSON/2 {http2Items}");
        }
    }

    [GlobalCleanup]
    public async Task TearDown()
    {
        Dispose();
        await engine.DisposeAsync();
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            http11?.Dispose();
            http2?.Dispose();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrent)]
    public Task GrpcPagesConcurrently() =>
        Task.WhenAll(grpcCallers.Select(caller => feeds.GetHomeFeedAsync(new GetHomeFeedRequest { PageSize = 20 }, caller).ResponseAsync));

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task JsonHttp11PagesConcurrently() => Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => ReadJsonAsync(http11, i)));

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task JsonHttp2PagesConcurrently() => Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => ReadJsonAsync(http2, i)));

    /// <summary>One page as a JSON client reads it; the number of items it holds.</summary>
    private async Task<int> ReadJsonAsync(HttpClient http, int reader)
    {
        // A request made here keeps its own version: the client's defaults apply to GetAsync and the like only.
        using var request = new HttpRequestMessage(HttpMethod.Get, HomePage)
        {
            Version = http.DefaultRequestVersion,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Authorization = bearers[reader];
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        using var page = await JsonDocument.ParseAsync(body);
        return page.RootElement.TryGetProperty("items", out var items) ? items.GetArrayLength() : 0;
    }
}
