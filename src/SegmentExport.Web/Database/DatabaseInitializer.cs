using Microsoft.EntityFrameworkCore;
using Npgsql;
using Quartz;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Database;

/// <summary>
/// Brings the database to the current schema before the job engine and the web server start:
/// creates the database when missing, then, holding a PostgreSQL advisory lock so that nodes starting
/// together take turns, applies EF migrations and creates the Quartz tables.
/// </summary>
public sealed class DatabaseInitializer(
    PostgresConnection connection,
    IServiceScopeFactory scopes,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    // Any constant works; it only has to be the same on every node ("SegmentX" in ASCII).
    private const long MigrationLockKey = 0x5365676D656E7458;
    public const string QuartzTablePrefix = "qrtz_";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await CreateDatabaseIfMissingAsync(cancellationToken);

        await using var lockConnection = new NpgsqlConnection(connection.ConnectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await ExecuteAsync(lockConnection, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
        try
        {
            // EF's own history table, created up front: on a brand-new database MigrateAsync would
            // otherwise log a failed query against it before creating it.
            await ExecuteAsync(lockConnection, """
                CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
                    "MigrationId" character varying(150) NOT NULL PRIMARY KEY,
                    "ProductVersion" character varying(32) NOT NULL)
                """, cancellationToken);
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                await db.Database.MigrateAsync(cancellationToken);
                logger.LogInformation("Database schema is at {Migration}", db.Database.GetMigrations().LastOrDefault());
            }

            await CreateQuartzTablesAsync(lockConnection, cancellationToken);
        }
        finally
        {
            await ExecuteAsync(lockConnection, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task CreateDatabaseIfMissingAsync(CancellationToken cancellationToken)
    {
        var name = connection.DatabaseName;
        await using var maintenance = new NpgsqlConnection(connection.MaintenanceConnectionString);
        await maintenance.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", maintenance);
        exists.Parameters.Add(new NpgsqlParameter { Value = name });
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        try
        {
            // The name cannot be a parameter; quote it as an identifier.
            await ExecuteAsync(maintenance, $"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken);
            logger.LogInformation("Created database {Database}", name);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another node created it between our check and our CREATE: that is the outcome we wanted.
        }
    }

    /// <summary>
    /// Runs Quartz's own "create what is missing" script, shipped inside the Quartz assembly, under our
    /// lock. Left to each scheduler (SchemaProvisioning.CreateIfMissing), two nodes starting together
    /// race on CREATE TABLE IF NOT EXISTS, which PostgreSQL does not make atomic.
    /// </summary>
    private static async Task CreateQuartzTablesAsync(NpgsqlConnection db, CancellationToken cancellationToken)
    {
        const string resource = "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql";
        await using var stream = typeof(IJob).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The Quartz assembly no longer carries {resource}; check the Quartz upgrade notes for its schema script.");
        using var reader = new StreamReader(stream);
        var script = (await reader.ReadToEndAsync(cancellationToken))
            .Replace("{0}", QuartzTablePrefix, StringComparison.Ordinal)
            .Replace("{1}", QuartzTablePrefix, StringComparison.Ordinal);
        foreach (var statement in script.Split("\n--;;", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (statement.Split('\n').Any(line => line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal)))
            {
                await ExecuteAsync(db, statement, cancellationToken);
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection db, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
