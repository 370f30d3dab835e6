using System.Diagnostics.Metrics;

namespace RseOrleans.Silo.Hosting;

/// <summary>
/// Logs, at warning, every HTTP/2 or HTTP/1 connection Kestrel ends because of what the client did
/// (too many streams reset while their calls still ran, headers over the limit, a flow-control
/// queue overflow…). Kestrel itself says so only at debug level, in a category that logs every
/// frame; its connection metric names the reason, so that is what this listens to.
/// </summary>
public sealed partial class KestrelRefusalLog(ILogger<KestrelRefusalLog> logger) : IHostedService, IDisposable
{
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    private const string ConnectionDuration = "kestrel.connection.duration";

    /// <summary>Ends that are the network's or the client's own doing, not a refusal.</summary>
    private static readonly HashSet<string> Ordinary = ["connection_reset", "keep_alive_timeout", "io_error", "app_shutdown_timeout"];

    private readonly MeterListener listener = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        listener.InstrumentPublished = (instrument, meters) =>
        {
            if (instrument.Meter.Name == KestrelMeter && instrument.Name == ConnectionDuration)
            {
                meters.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>(OnConnectionEnded);
        listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => listener.Dispose();

    private void OnConnectionEnded(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? reason = null, protocol = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "error.type":
                    reason = tag.Value as string;
                    break;
                case "network.protocol.version":
                    protocol = tag.Value as string;
                    break;
            }
        }

        if (reason is not null && !Ordinary.Contains(reason))
        {
            LogRefused(reason, protocol ?? "?", seconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The server ended an HTTP/{Protocol} connection after {Seconds:F1} s because of what the client sent: {Reason}. " +
                  "Every call on it failed; see docs/deployment.md (HTTP/2 limits).")]
    private partial void LogRefused(string reason, string protocol, double seconds);
}
