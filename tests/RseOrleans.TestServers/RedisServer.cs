using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace RseOrleans.TestServers;

/// <summary>
/// A real Redis server of its own for tests, a child process on a private loopback port that
/// keeps nothing on disk. Tests may stop it and start it again on the same port (empty again).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string executable;
    private ServerSandbox? sandbox;
    private Process? process;

    public RedisServer()
    {
        executable = FindExecutable();
    }

    /// <summary>The TCP port on 127.0.0.1; 0 until the first start.</summary>
    public int Port { get; private set; }

    public bool IsRunning => process is not null;

    /// <summary>In StackExchange.Redis' format: 127.0.0.1:port,abortConnect=false,connectTimeout=2000.</summary>
    /// <remarks>
    /// abortConnect=false lets a client connect while the server is down and reconnect once it is
    /// back, as a service does; the short connect timeout makes an outage show in seconds.
    /// </remarks>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},abortConnect=false,connectTimeout=2000";

    private string LogFile => Path.Combine(sandbox!.Folder, "redis.log");

    private string PidFile => Path.Combine(sandbox!.Folder, "redis.pid");

    /// <summary>Starts the server, on a new port the first time and on the same port after a stop. Returns once it answers PING.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        if (sandbox is null)
        {
            sandbox = ServerSandbox.Create("KILL", "", "redis.pid");
            // The port is chosen free, but another process may take it before the server binds it.
            for (var attempt = 1; ; attempt++)
            {
                Port = ServerSandbox.FreePort();
                try
                {
                    await StartProcessAsync();
                    return;
                }
                catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("Address already in use", StringComparison.Ordinal))
                {
                }
            }
        }

        await StartProcessAsync();
    }

    /// <summary>
    /// Shuts the server down as an outage does: clients lose their connections, and the data is saved
    /// to disk and loaded again by <see cref="StartAsync"/>, as a production Redis with persistence
    /// keeps Orleans' membership table. <see cref="FlushAllAsync"/> is how a test loses the data.
    /// </summary>
    public async Task StopAsync()
    {
        if (process is null)
        {
            return;
        }

        try
        {
            await SendAsync("SHUTDOWN SAVE");
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            // Killed below.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        process = null;
        // A stale process id must not lead the sandbox to kill whatever reuses it.
        File.Delete(PidFile);
    }

    /// <summary>Empties every database of the server.</summary>
    public async Task FlushAllAsync()
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AllowAdmin = true;
        options.AbortOnConnectFail = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        await redis.GetServer(IPAddress.Loopback.ToString(), Port).FlushAllDatabasesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (sandbox is null)
        {
            return;
        }

        try
        {
            if (process is not null)
            {
                process.Kill();
                await process.WaitForExitAsync();
                process.Dispose();
                process = null;
            }
        }
        finally
        {
            sandbox.Dispose();
            sandbox = null;
        }
    }

    private async Task StartProcessAsync()
    {
        var folder = sandbox!.Folder;
        var start = new ProcessStartInfo(executable)
        {
            // Redirected so that the server does not write to the test run's console.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in (string[])[
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", folder,
            "--logfile", LogFile,
            "--daemonize", "no"])
        {
            start.ArgumentList.Add(argument);
        }

        var logLength = ServerSandbox.LengthOf(LogFile);
        var started = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        started.OutputDataReceived += (_, _) => { };
        started.ErrorDataReceived += (_, _) => { };
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        await File.WriteAllTextAsync(PidFile, started.Id.ToString(CultureInfo.InvariantCulture));

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (started.HasExited)
            {
                var exitCode = started.ExitCode;
                started.Dispose();
                throw new InvalidOperationException(
                    $"redis-server on 127.0.0.1:{Port} exited with code {exitCode}.{Environment.NewLine}{ServerSandbox.LogSince(LogFile, logLength)}");
            }

            try
            {
                if ((await SendAsync("PING")).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    process = started;
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
            }

            if (deadline.Elapsed > StartTimeout)
            {
                started.Kill();
                started.Dispose();
                throw new InvalidOperationException(
                    $"redis-server did not answer on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s.{Environment.NewLine}{ServerSandbox.LogTail(LogFile)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>One inline command on a connection of its own; lighter than a multiplexer for probing and shutting down.</summary>
    private async Task<string> SendAsync(string command)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), timeout.Token);
        var reply = new byte[64];
        var read = await stream.ReadAsync(reply, timeout.Token);
        return Encoding.ASCII.GetString(reply, 0, read);
    }

    private static string FindExecutable()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "redis-server"))
            .FirstOrDefault(File.Exists);
        return onPath ?? (File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : throw new InvalidOperationException(
            "redis-server was not found on the PATH or in /usr/bin: install redis: apt-get install redis-server (.ci/run does it on CI)."));
    }
}
