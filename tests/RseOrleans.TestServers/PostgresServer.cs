using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace RseOrleans.TestServers;

/// <summary>
/// A real PostgreSQL server of its own for tests: a fresh cluster in a temporary folder, on a
/// private loopback port, with a database <c>rse</c>. Tests may stop it and start it again; the
/// data stays. Disposing it removes everything.
/// </summary>
/// <remarks>
/// PostgreSQL will not run as root: under root (containers, CI) its programs run as the
/// <c>postgres</c> user the Debian package creates, which then owns the folder.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Superuser = "postgres";
    public const string DefaultDatabase = "rse";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string bin;
    private readonly bool asPostgresUser = Environment.IsPrivilegedProcess;
    private ServerSandbox? sandbox;

    public PostgresServer()
    {
        bin = FindBinaries();
    }

    /// <summary>The TCP port on 127.0.0.1; 0 until the first start.</summary>
    public int Port { get; private set; }

    public bool IsRunning { get; private set; }

    /// <summary>The folder holding the cluster (<c>data</c>), its socket and its log (<c>postgres.log</c>).</summary>
    public string Folder => sandbox?.Folder ?? throw new InvalidOperationException("The server has not been started.");

    /// <summary>The database <c>rse</c>, in Npgsql's format.</summary>
    public string ConnectionString => ConnectionStringFor(DefaultDatabase);

    private string DataDirectory => Path.Combine(Folder, "data");

    private string LogFile => Path.Combine(Folder, "postgres.log");

    /// <summary>A database of this server, in Npgsql's format: Host=127.0.0.1;Port=…;Username=postgres;Database=….</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Database = database,
        // A stopped server refuses at once; the timeouts bound one that hangs, so tests of an
        // outage fail in seconds rather than after Npgsql's defaults.
        Timeout = 3,
        CommandTimeout = 30,
        CancellationTimeout = 1000,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>
    /// Starts the server, creating the cluster and the database <c>rse</c> the first time; later
    /// starts reuse the same folder, data and port. Returns once it accepts connections.
    /// </summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        if (sandbox is null)
        {
            await CreateClusterAsync();
            // The port is chosen free, but another process may take it before the server binds it.
            for (var attempt = 1; ; attempt++)
            {
                Port = ServerSandbox.FreePort();
                var logLength = ServerSandbox.LengthOf(LogFile);
                try
                {
                    await StartServerAsync();
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3 && ServerSandbox.LogSince(LogFile, logLength).Contains("could not bind", StringComparison.Ordinal))
                {
                }
            }

            await CreateDatabaseAsync(DefaultDatabase);
        }
        else
        {
            await StartServerAsync();
        }
    }

    /// <summary>Stops the server the way an administrator would (fast shutdown: connections are closed, data kept).</summary>
    /// <remarks>
    /// As after any restart of PostgreSQL, each connection a client pool holds from before fails
    /// once on its next use (Npgsql does not test idle connections), then the pool opens new ones.
    /// </remarks>
    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }

        Thaw();
        await PgCtlAsync("stop", "-m", "fast");
        IsRunning = false;
    }

    /// <summary>True between <see cref="Freeze"/> and <see cref="Thaw"/>.</summary>
    public bool IsFrozen { get; private set; }

    /// <summary>
    /// Freezes the server as a hung host would: every one of its processes is stopped (SIGSTOP), so
    /// the kernel still accepts connections but nothing ever answers. <see cref="Thaw"/> resumes it.
    /// </summary>
    public void Freeze()
    {
        if (!IsRunning || IsFrozen)
        {
            return;
        }

        // The postmaster first, so that it forks no new backend while its children are stopped.
        var postmaster = PostmasterId();
        Signal("STOP", [postmaster]);
        Signal("STOP", ChildrenOf(postmaster));
        IsFrozen = true;
    }

    /// <summary>Resumes a frozen server; the connections it held carry on where they stopped.</summary>
    public void Thaw()
    {
        if (!IsFrozen)
        {
            return;
        }

        var postmaster = PostmasterId();
        Signal("CONT", ChildrenOf(postmaster));
        Signal("CONT", [postmaster]);
        IsFrozen = false;
    }

    private int PostmasterId() =>
        int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>The processes whose parent is <paramref name="parent"/> (the fourth field of /proc/PID/stat).</summary>
    private static List<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                // The command name (second field) is in parentheses and may hold spaces.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
                {
                    children.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A process that ended while the list was read.
            }
        }

        return children;
    }

    private static void Signal(string signal, List<int> pids)
    {
        if (pids.Count == 0)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", .. pids.Select(pid => pid.ToString(CultureInfo.InvariantCulture))])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not run kill.");
        kill.WaitForExit();
    }

    /// <summary>
    /// Creates an empty database (dropping any of that name first) and returns its connection
    /// string. The name is lower-cased and anything but letters, digits and '_' becomes '_'.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        var database = DatabaseName(name);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in (string[])[$"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", $"CREATE DATABASE \"{database}\""])
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        // Idle pooled connections to the dropped database are dead; the next user would get one.
        var connectionString = ConnectionStringFor(database);
        await using var pooled = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(pooled);
        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (sandbox is null)
        {
            return;
        }

        try
        {
            if (IsRunning)
            {
                Thaw();
                await PgCtlAsync("stop", "-m", "immediate");
                IsRunning = false;
            }
        }
        finally
        {
            // Kills whatever pg_ctl could not stop, and removes the folder.
            sandbox.Dispose();
            sandbox = null;
        }
    }

    private async Task CreateClusterAsync()
    {
        sandbox = ServerSandbox.Create("QUIT", "data", "data/postmaster.pid");
        if (asPostgresUser)
        {
            await RunAsync("chown", [$"{Superuser}:", Folder], asPostgres: false);
        }

        await RunAsync(Path.Combine(bin, "initdb"),
            ["-D", DataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
            asPostgres: asPostgresUser);

        // Rewriting the files initdb made keeps their owner. Nothing outside the test process
        // reaches this server: TCP on 127.0.0.1 only, and the socket in the private folder.
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "pg_hba.conf"),
            """
            local all all trust
            host all all 127.0.0.1/32 trust

            """);
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"),
            $"""

            # Test server: loopback only, and durability traded for speed (the data is thrown away).
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{Folder}'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 200

            """);
    }

    private async Task StartServerAsync()
    {
        var logLength = ServerSandbox.LengthOf(LogFile);
        try
        {
            await PgCtlAsync("start", "-l", LogFile, "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)}", "-t", ((int)StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message}{Environment.NewLine}{ServerSandbox.LogSince(LogFile, logLength)}", e);
        }

        IsRunning = true;
        await WaitForConnectionsAsync();
    }

    /// <summary>pg_ctl has seen the server ready; this is what a client sees, over TCP.</summary>
    private async Task WaitForConnectionsAsync()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false, Timeout = 1 }.ConnectionString;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && deadline.Elapsed < StartTimeout)
            {
                await Task.Delay(100);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL did not accept connections on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s: {e.Message}{Environment.NewLine}{ServerSandbox.LogTail(LogFile)}", e);
            }
        }
    }

    private Task PgCtlAsync(params string[] arguments) =>
        RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", DataDirectory, "-w", .. arguments], asPostgres: asPostgresUser);

    private async Task RunAsync(string program, IEnumerable<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user may not enter the test's own working directory, and initdb fails
            // where it cannot.
            WorkingDirectory = Folder,
        };
        if (asPostgres)
        {
            foreach (var argument in (string[])["-u", Superuser, "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var limit = StartTimeout + TimeSpan.FromSeconds(30);
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Describe(start)} did not finish within {limit.TotalSeconds} s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Describe(start)} failed with exit code {process.ExitCode}:{Environment.NewLine}{await output}{await error}");
        }
    }

    private static string Describe(ProcessStartInfo start) => string.Join(' ', [start.FileName, .. start.ArgumentList]);

    private static string DatabaseName(string name)
    {
        var database = new string(name.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_').ToArray());
        if (database.Length is 0 or > 63)
        {
            throw new ArgumentException($"A database name needs 1 to 63 characters: \"{name}\".", nameof(name));
        }

        return database;
    }

    /// <summary>RSE_PG_BIN if set, else the newest Debian install (/usr/lib/postgresql/N/bin), else the PATH.</summary>
    private static string FindBinaries()
    {
        static bool HasServer(string? folder) => folder is not null && File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl"));

        var configured = Environment.GetEnvironmentVariable("RSE_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return HasServer(configured)
                ? configured
                : throw new InvalidOperationException($"RSE_PG_BIN is {configured}, which holds no initdb and pg_ctl.");
        }

        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), CultureInfo.InvariantCulture, out var number) ? number : -1, Bin: Path.Combine(version, "bin")))
                .Where(install => HasServer(install.Bin))
                .OrderByDescending(install => install.Version)
                .Select(install => install.Bin)
                .FirstOrDefault()
            : null;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(HasServer);
        return debian ?? onPath ?? throw new InvalidOperationException(
            "PostgreSQL's server programs (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin, on the PATH or in RSE_PG_BIN: " +
            "install postgresql: apt-get install postgresql (.ci/run does it on CI).");
    }
}
