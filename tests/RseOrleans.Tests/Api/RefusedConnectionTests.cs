using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Api;

public sealed class RefusedConnectionTests
{
    [Fact]
    public async Task A_connection_the_server_ends_for_what_the_client_sent_is_logged_at_warning_with_the_reason()
    {
        var log = new WarningLog();
        await using var engine = await RunningEngine.StartAsync("refused", builder => builder.Logging.AddProvider(log));

        // An HTTP/2 client that sends a SETTINGS frame of 5 bytes (settings are 6 bytes each): a
        // protocol error for which the server must end the connection.
        using var client = new TcpClient();
        await client.ConnectAsync(engine.Address.Host, engine.Address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await stream.WriteAsync(new byte[] { 0, 0, 5, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer) > 0)
        {
            // Read what the server answers (its settings, then GOAWAY) until it closes.
        }

        await Eventually.TrueAsync(
            () => Task.FromResult(log.Lines.Any(line => line.Contains("invalid_frame_length", StringComparison.Ordinal))),
            "a warning naming why the connection was ended");
    }

    private sealed class WarningLog : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    lines.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
