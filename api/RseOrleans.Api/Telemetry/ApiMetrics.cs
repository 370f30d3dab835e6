using System.Diagnostics.Metrics;
using Grpc.Core;

namespace RseOrleans.Api.Telemetry;

/// <summary>
/// The API's own measurements (meter <see cref="MeterName"/>), beside ASP.NET Core's request
/// metrics: what the engine refused and why, pages served, watches open.
/// </summary>
public static class ApiMetrics
{
    public const string MeterName = "RseOrleans.Api";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Rejected =
        Meter.CreateCounter<long>("rse.api.rejected", "{call}", "Calls answered with a status other than OK, by method and status");

    private static readonly Counter<long> FeedPages =
        Meter.CreateCounter<long>("rse.feed.reads", "{page}", "Home-feed pages served");

    private static readonly UpDownCounter<long> Watches =
        Meter.CreateUpDownCounter<long>("rse.watch.active", "{watch}", "Live watches open, by stream (feed, notifications)");

    public static void CallRejected(string method, StatusCode status) =>
        Rejected.Add(1, new KeyValuePair<string, object?>("rpc.method", method), new KeyValuePair<string, object?>("rpc.grpc.status_code", status.ToString()));

    public static void FeedPageServed() => FeedPages.Add(1);

    /// <summary>Counts a watch open until the returned handle is disposed.</summary>
    public static IDisposable WatchOpened(string stream)
    {
        var tag = new KeyValuePair<string, object?>("stream", stream);
        Watches.Add(1, tag);
        return new OpenWatch(tag);
    }

    private sealed class OpenWatch(KeyValuePair<string, object?> tag) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Watches.Add(-1, tag);
            }
        }
    }
}
