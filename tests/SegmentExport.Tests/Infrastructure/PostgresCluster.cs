using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Database;

[assembly: AssemblyFixture(typeof(PostgresCluster))]

namespace SegmentExport.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test run (free port, temp folder, removed afterwards),
/// started with the same code the app uses for its embedded default. Each test gets its own database.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "segmentexport-tests-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly int _port;
    private EmbeddedPostgres? _cluster;
    private string _serverConnectionString = "";

    public PostgresCluster()
    {
    }

    /// <summary>A cluster of a test's own on a fixed port, so the test may stop and start it (clients reconnect to the same address).</summary>
    private PostgresCluster(int port) => _port = port;

    /// <summary>Starts a private cluster for a test that restarts the server; dispose it at the end of the test.</summary>
    public static async Task<PostgresCluster> StartPrivateAsync()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var cluster = new PostgresCluster(port);
        await cluster.InitializeAsync();
        return cluster;
    }

    /// <summary>Stops the server (fast shutdown: open sessions are cut), as a restart or failover would.</summary>
    public Task StopServerAsync() => _cluster!.StopAsync(CancellationToken.None);

    public Task StartServerAsync() => _cluster!.StartAsync("postgres", CancellationToken.None);

    public string ServerBinDirectory { get; } = ServerBinaries.Find(null)
        ?? throw new InvalidOperationException(ServerBinaries.InstallAdvice);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _cluster = new EmbeddedPostgres(
            new EmbeddedPostgresSettings(ServerBinDirectory, Path.Combine(_root, "cluster"), Port: _port, Durable: false),
            NullLogger.Instance);
        _serverConnectionString = await _cluster.StartAsync("postgres", CancellationToken.None);
    }

    /// <summary>A connection string for a database that does not exist yet (the app creates it).</summary>
    public string NewDatabase(string purpose)
    {
        var name = $"t_{purpose.ToLowerInvariant()}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 48)];
        return new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>A connection string for a fresh, empty database that already exists.</summary>
    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        var connectionString = NewDatabase(purpose);
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var admin = new NpgsqlConnection(_serverConnectionString);
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync();
        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            await _cluster.StopAsync(CancellationToken.None);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail the run.
        }
    }
}
