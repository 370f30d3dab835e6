using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RseOrleans.TestServers;

/// <summary>
/// A private folder under /tmp/rse-test-servers for one test server, which does not outlive the test
/// process: a watchdog stops the server and removes the folder when the process dies, however it
/// dies, and the next run clears what a dead watchdog left.
/// </summary>
internal sealed class ServerSandbox : IDisposable
{
    /// <summary>
    /// Short and fixed rather than the user's temp folder: PostgreSQL puts its socket here, and a
    /// socket path may not exceed 107 bytes.
    /// </summary>
    public const string Root = "/tmp/rse-test-servers";

    private const string OwnerFile = "owner";
    private const string AbandonScript = "abandon.sh";

    private static readonly Lazy<bool> AbandonedCleared = new(ClearAbandoned);

    private readonly Process watchdog;

    private ServerSandbox(string folder, Process watchdog)
    {
        Folder = folder;
        this.watchdog = watchdog;
    }

    public string Folder { get; }

    /// <summary>
    /// Creates a sandbox whose servers write their process id into the files
    /// <paramref name="pidFiles"/> (relative to the folder, first line) and run with the working
    /// directory <paramref name="workingDirectory"/>: if the test process dies, each is sent
    /// <paramref name="signal"/>. Checking the working directory keeps a recycled process id safe.
    /// </summary>
    public static ServerSandbox Create(string signal, string workingDirectory, params string[] pidFiles)
    {
        _ = AbandonedCleared.Value;
        if (!Directory.Exists(Root))
        {
            // Sticky and open to all, like /tmp: root and ordinary users both run tests here.
            Directory.CreateDirectory(Root);
            TrySetMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit);
        }

        var folder = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var cwd = Path.Combine(folder, workingDirectory).TrimEnd('/');
        File.WriteAllText(Path.Combine(folder, AbandonScript), string.Concat(pidFiles.Select(pidFile =>
            $"""
            pid=$(head -n 1 '{Path.Combine(folder, pidFile)}' 2>/dev/null)
            [ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd")" = '{cwd}' ] && kill -{signal} "$pid"

            """)));

        // Its own session: a Ctrl+C or a kill of the test's process group must not take the
        // watchdog with it, as PostgreSQL (which pg_ctl starts in a session of its own) survives both.
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["sh", "-c",
            $"""
            exec </dev/null >/dev/null 2>&1
            while kill -0 {Environment.ProcessId}; do sleep 1; done
            sh '{folder}/{AbandonScript}'
            sleep 1
            rm -rf '{folder}'
            """])
        {
            start.ArgumentList.Add(argument);
        }

        var watchdog = Process.Start(start) ?? throw new InvalidOperationException("Could not start the test server's watchdog (setsid sh).");
        return new ServerSandbox(folder, watchdog);
    }

    /// <summary>
    /// A free loopback port below Linux's ephemeral range (32768 and up), so that no outgoing
    /// connection borrows it while a test has the server stopped.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("Found no free TCP port on 127.0.0.1 between 20000 and 32000.");
    }

    /// <summary>The last lines of a server's log, for failure messages.</summary>
    public static string LogTail(string path, int lines = 40)
    {
        try
        {
            var tail = File.ReadLines(path).TakeLast(lines).ToList();
            return tail.Count == 0 ? $"({path} is empty)" : $"{path}:{Environment.NewLine}{string.Join(Environment.NewLine, tail)}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"({path} unreadable: {e.Message})";
        }
    }

    public static long LengthOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>What a server has logged since <paramref name="offset"/>, for failure messages.</summary>
    public static string LogSince(string path, long offset)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return $"{path}:{Environment.NewLine}{reader.ReadToEnd()}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"({path} unreadable: {e.Message})";
        }
    }

    /// <summary>Stops whatever the servers left running and removes the folder.</summary>
    public void Dispose()
    {
        try
        {
            watchdog.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        watchdog.Dispose();
        Abandon(Folder);
    }

    /// <summary>Clears the folders of test processes that died with their watchdog (kill -9 of everything, a reboot without tmpfs).</summary>
    private static bool ClearAbandoned()
    {
        if (!Directory.Exists(Root))
        {
            return true;
        }

        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            try
            {
                var ownerFile = Path.Combine(folder, OwnerFile);
                // A folder without an owner may be one another process is creating right now.
                var abandoned = File.Exists(ownerFile)
                    ? !IsAlive(File.ReadAllText(ownerFile))
                    : Directory.GetCreationTimeUtc(folder) < DateTime.UtcNow.AddMinutes(-10);
                if (abandoned)
                {
                    Abandon(folder);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's leftovers, or another run clearing the same folder: not ours to fix.
            }
        }

        return true;
    }

    private static bool IsAlive(string pid) =>
        !int.TryParse(pid.Trim(), CultureInfo.InvariantCulture, out var id) || Directory.Exists($"/proc/{id}");

    private static void Abandon(string folder)
    {
        var script = Path.Combine(folder, AbandonScript);
        if (File.Exists(script))
        {
            using var stop = Process.Start(new ProcessStartInfo("sh", [script])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            stop?.WaitForExit(TimeSpan.FromSeconds(10));
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // A server still writing as it exits: once more, after it has.
            Thread.Sleep(500);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void TrySetMode(string path, UnixFileMode mode)
    {
        // The servers run on Linux only (and macOS, in principle); the guard is for the analyzer.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            File.SetUnixFileMode(path, mode);
        }
        catch (UnauthorizedAccessException)
        {
            // Another user created it first, with the same mode.
        }
    }
}
