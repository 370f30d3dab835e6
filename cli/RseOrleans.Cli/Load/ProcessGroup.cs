using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace RseOrleans.Cli.Load;

/// <summary>
/// A shell command run as a process group of its own, its output appended to a log file, so that a
/// signal reaches every process it started (the shell and the engine it runs) and none of rse's.
/// </summary>
internal sealed class ProcessGroup : IDisposable
{
    private const int Sigkill = 9;
    private const int Sigterm = 15;

    private readonly Process leader;

    private ProcessGroup(Process leader) => this.leader = leader;

    /// <summary>The group's id: its leader's process id.</summary>
    public int Id => leader.Id;

    public static ProcessGroup Start(string command, string logFile)
    {
        // setsid makes the shell lead a new session and group; the log file is the shell's $0, so
        // that its name needs no quoting inside the script.
        var start = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "/bin/sh", "-c", "exec >>\"$0\" 2>&1 </dev/null\n" + command, logFile },
            UseShellExecute = false,
        };
        return new ProcessGroup(Process.Start(start) ?? throw new InvalidOperationException($"could not run '{command}'"));
    }

    /// <summary>
    /// True while the leader or another process of the group runs. The leader counts by itself, as
    /// until setsid has run it is still in rse's group. A zombie does not count: it holds no port,
    /// and an orphan may stay one for good where the first process of a container reaps nothing.
    /// </summary>
    public bool IsRunning => !leader.HasExited || Members().Any();

    /// <summary>SIGKILL to every process of the group, as <c>kill -9</c> or a node's loss does; false if none was left.</summary>
    public bool Kill() => SendSignal(-Id, Sigkill) == 0;

    /// <summary>SIGTERM to every process of the group, as a Kubernetes pod deletion does; false if none was left.</summary>
    public bool Terminate() => SendSignal(-Id, Sigterm) == 0;

    /// <summary>Waits until no process of the group runs; false if one still does after <paramref name="patience"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan patience)
    {
        var started = Stopwatch.GetTimestamp();
        while (IsRunning)
        {
            if (Stopwatch.GetElapsedTime(started) > patience)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    public void Dispose() => leader.Dispose();

    /// <summary>The live processes of the group, from /proc/PID/stat (state is its third field, group its fifth).</summary>
    private IEnumerable<int> Members()
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(folder, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A process that ended while the list was read.
                continue;
            }

            // The command name (second field) is in parentheses and may hold spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] != "Z" && int.Parse(fields[2], CultureInfo.InvariantCulture) == Id)
            {
                yield return pid;
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);
}
