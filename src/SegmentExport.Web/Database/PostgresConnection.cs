using Npgsql;

namespace SegmentExport.Web.Database;

/// <summary>
/// The one place the app's connection string lives. Known at start-up when configured; set by
/// <see cref="EmbeddedPostgresService"/> once the embedded cluster is up otherwise.
/// </summary>
public sealed class PostgresConnection
{
    private string? _connectionString;

    public PostgresConnection(string? configured) => _connectionString = configured;

    public bool IsConfigured => _connectionString is not null;

    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException(
            "The database is not started yet: nothing may use it before the embedded PostgreSQL cluster is up.");

    internal void Set(string connectionString) => _connectionString = connectionString;

    /// <summary>The same server, but the maintenance database, for CREATE DATABASE.</summary>
    public string MaintenanceConnectionString =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;

    public string DatabaseName => new NpgsqlConnectionStringBuilder(ConnectionString).Database
        ?? throw new InvalidOperationException("ConnectionStrings:Postgres names no Database.");
}
