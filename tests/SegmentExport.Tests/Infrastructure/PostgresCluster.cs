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
    private EmbeddedPostgres? _cluster;
    private string _serverConnectionString = "";

    public string ServerBinDirectory { get; } = ServerBinaries.Find(null)
        ?? throw new InvalidOperationException(ServerBinaries.InstallAdvice);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _cluster = new EmbeddedPostgres(
            new EmbeddedPostgresSettings(ServerBinDirectory, Path.Combine(_root, "cluster"), Port: 0, Durable: false),
            NullLogger.Instance);
        _serverConnectionString = await _cluster.StartAsync("postgres", CancellationToken.None);
    }

    /// <summary>A connection string for a database that does not exist yet (the app creates it).</summary>
    public string NewDatabase(string purpose)
    {
        var name = $"t_{purpose.ToLowerInvariant()}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 48)];
        // Pools outlive the apps and tests that opened them (one pool per database); idle connections close within
        // seconds instead of Npgsql's 5 minutes, so a full parallel run stays under the server's 100 connections.
        return new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = name, ConnectionIdleLifetime = 5, ConnectionPruningInterval = 2 }.ConnectionString;
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
