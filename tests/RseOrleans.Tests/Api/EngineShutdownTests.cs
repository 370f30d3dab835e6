using Grpc.Core;
using RseOrleans.Api.V1;
using RseOrleans.Tests.Fixtures;
using static RseOrleans.Tests.Fixtures.EngineClient;

namespace RseOrleans.Tests.Api;

public sealed class EngineShutdownTests
{
    [Fact]
    public async Task Stopping_the_engine_ends_open_watches_with_unavailable_so_clients_reconnect_elsewhere()
    {
        await using var engine = await RunningEngine.StartAsync("shutdown", "--Limits:WritesPerMinute=0");
        var api = new EngineClient(engine.Channel);
        var reader = await api.CreateUserAsync("reader");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = api.Feeds.WatchFeed(new WatchFeedRequest(), As(reader), cancellationToken: timeout.Token);
        await watch.ResponseHeadersAsync;

        var stopping = engine.StopAsync();
        var ended = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(timeout.Token));
        await stopping;

        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Contains("shutting down", ended.Status.Detail, StringComparison.Ordinal);
    }
}
