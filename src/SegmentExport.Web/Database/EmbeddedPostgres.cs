using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace SegmentExport.Web.Database;

/// <summary>Where and how to run a private PostgreSQL cluster.</summary>
/// <param name="BinDirectory">Folder with initdb and pg_ctl.</param>
/// <param name="RootDirectory">Folder the cluster owns: data, log, socket.</param>
/// <param name="Port">Loopback port; 0 picks a free one.</param>
/// <param name="Durable">False skips fsync (throwaway test clusters only).</param>
public sealed record EmbeddedPostgresSettings(string BinDirectory, string RootDirectory, int Port, bool Durable);

/// <summary>
/// A private PostgreSQL cluster run from the installed server programs: loopback only, a generated
/// password, data kept under <see cref="EmbeddedPostgresSettings.RootDirectory"/> across restarts.
/// As root, initdb and pg_ctl refuse to run, so they run as the <c>postgres</c> OS user.
/// </summary>
public sealed class EmbeddedPostgres
{
    private const string SuperUser = "postgres";
    private readonly EmbeddedPostgresSettings _settings;
    private readonly ILogger _logger;

    public EmbeddedPostgres(EmbeddedPostgresSettings settings, ILogger logger)
    {
        _settings = settings;
        _logger = logger;
    }

    private string DataDirectory => Path.Combine(_settings.RootDirectory, "data");
    private string PasswordFile => _settings.RootDirectory + ".password";
    private static bool RunningAsRoot => Environment.UserName == "root";

    public int Port { get; private set; }

    /// <summary>Whether the app can run: a server is configured, or the programs for an embedded one exist.</summary>
    public static bool CanStartOrIsConfigured(IConfiguration configuration, out string message)
    {
        message = "";
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName)))
        {
            return true;
        }

        if (ServerBinaries.Find(configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ServerBinDirectory)}"]) is null)
        {
            message = ServerBinaries.InstallAdvice;
            return false;
        }

        return true;
    }

    /// <summary>Starts the cluster (creating it on first use) and returns a connection string for <paramref name="database"/>.</summary>
    public async Task<string> StartAsync(string database, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_settings.RootDirectory);
        var password = await EnsurePasswordAsync(cancellationToken);
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await InitAsync(password, cancellationToken);
        }

        Port = await RunningPortAsync(cancellationToken) ?? await LaunchAsync(cancellationToken);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = SuperUser,
            Password = password,
            Database = database,
        }.ConnectionString;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return;
        }

        var result = await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], cancellationToken);
        if (result.ExitCode != 0)
        {
            _logger.LogWarning("Embedded PostgreSQL did not stop cleanly (exit code {ExitCode})", result.ExitCode);
        }
    }

    private async Task<string> EnsurePasswordAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(PasswordFile))
        {
            return (await File.ReadAllTextAsync(PasswordFile, cancellationToken)).Trim();
        }

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        await File.WriteAllTextAsync(PasswordFile, password, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return password;
    }

    private async Task InitAsync(string password, CancellationToken cancellationToken)
    {
        _logger.LogInformation("Creating the embedded PostgreSQL cluster in {Directory}", _settings.RootDirectory);
        GiveToPostgresUser(_settings.RootDirectory);

        // initdb reads the superuser password from a file; it lives only for the duration of initdb.
        var pwFile = Path.Combine(_settings.RootDirectory, "initdb.pw");
        await File.WriteAllTextAsync(pwFile, password, cancellationToken);
        GiveToPostgresUser(pwFile);
        try
        {
            List<string> args = ["-D", DataDirectory, "-U", SuperUser, "-A", "scram-sha-256", $"--pwfile={pwFile}", "-E", "UTF8", "--locale=C.UTF-8"];
            if (!_settings.Durable)
            {
                args.Add("--no-sync");
            }

            var result = await RunAsync("initdb", args, cancellationToken);
            if (result.ExitCode != 0)
            {
                throw new EmbeddedPostgresException($"initdb failed (exit code {result.ExitCode}) for {DataDirectory}: {result.Output.Trim()}");
            }
        }
        finally
        {
            File.Delete(pwFile);
        }
    }

    /// <summary>The port of a cluster already running on this data folder (left by a process that died), or null.</summary>
    private async Task<int?> RunningPortAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var status = await RunAsync("pg_ctl", ["-D", DataDirectory, "status"], cancellationToken);
        if (status.ExitCode != 0)
        {
            return null;
        }

        // postmaster.pid: line 4 is the port (see PostgreSQL's storage/ipc "LOCK_FILE_LINE_PORT").
        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken);
        _logger.LogInformation("Reusing the embedded PostgreSQL cluster already running in {Directory}", _settings.RootDirectory);
        return int.Parse(lines[3], CultureInfo.InvariantCulture);
    }

    private async Task<int> LaunchAsync(CancellationToken cancellationToken)
    {
        var port = _settings.Port == 0 ? FreePort() : _settings.Port;
        var log = Path.Combine(_settings.RootDirectory, "server.log");
        var serverOptions = $"-p {port} -c listen_addresses=127.0.0.1 -k '{_settings.RootDirectory}'" +
            (_settings.Durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        var result = await RunAsync("pg_ctl", ["-D", DataDirectory, "-l", log, "-w", "-t", "60", "-o", serverOptions, "start"], cancellationToken);
        if (result.ExitCode != 0)
        {
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(5)) : "";
            throw new EmbeddedPostgresException($"The embedded PostgreSQL server did not start on port {port} (see {log}): {tail}");
        }

        _logger.LogInformation("Embedded PostgreSQL listening on 127.0.0.1:{Port}", port);
        return port;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void GiveToPostgresUser(string path)
    {
        if (!RunningAsRoot)
        {
            return;
        }

        var chown = Process.Start(new ProcessStartInfo("chown", ["-R", $"{SuperUser}:", path]) { UseShellExecute = false })!;
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"Could not give {path} to the '{SuperUser}' OS user (chown exit code {chown.ExitCode}); running as root needs that user to exist.");
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var exe = Path.Combine(_settings.BinDirectory, program);
        var start = RunningAsRoot
            ? new ProcessStartInfo("runuser", ["-u", SuperUser, "--", exe, .. args])
            : new ProcessStartInfo(exe, args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        // The server inherits our working directory; as the postgres user it may not be able to read ours.
        start.WorkingDirectory = _settings.RootDirectory;

        using var process = Process.Start(start) ?? throw new EmbeddedPostgresException($"Could not start {exe}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}

public sealed class EmbeddedPostgresException(string message) : Exception(message);
