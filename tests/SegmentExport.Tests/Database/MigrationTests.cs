using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Data;

namespace SegmentExport.Tests.Database;

public sealed class MigrationTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Two_nodes_starting_at_once_against_one_new_database_both_come_up()
    {
        var connectionString = postgres.NewDatabase("race");
        await using var first = new AppFactory(connectionString);
        await using var second = new AppFactory(connectionString);

        // Accessing Server builds and starts the host: both start concurrently, racing to create and migrate.
        await Task.WhenAll(Task.Run(() => first.Server), Task.Run(() => second.Server));

        foreach (var node in new[] { first, second })
        {
            using var client = node.CreateClient();
            await Eventually.HoldsAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "both nodes report ready");
        }

        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        Assert.Equal(LatestMigrations.All.Count, await ScalarAsync(db, "SELECT count(*) FROM \"__EFMigrationsHistory\""));
        Assert.Equal(3L, await ScalarAsync(db, "SELECT count(*) FROM roles"));
        Assert.Equal(1L, await ScalarAsync(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'qrtz_scheduler_state'"));
    }

    [Fact]
    public async Task The_migrated_schema_matches_the_ef_model()
    {
        // Database A: built by our hand-written migrations, as at start-up.
        var migrated = postgres.NewDatabase("migrated");
        await using (var app = new AppFactory(migrated))
        {
            _ = app.Server;
        }

        // Database B: what EF itself would create from the model.
        var fromModel = await postgres.CreateDatabaseAsync("model");
        await using (var context = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(fromModel).Options))
        await using (var db = new NpgsqlConnection(fromModel))
        {
            await db.OpenAsync();
            // A plain command: the script holds braces ('{}'::jsonb) that ExecuteSqlRaw would read as format holes.
            await using var create = new NpgsqlCommand(context.Database.GenerateCreateScript(), db);
            await create.ExecuteNonQueryAsync();
        }

        var expected = await DescribeAsync(fromModel);
        var actual = await DescribeAsync(migrated);
        Assert.Equal(expected.Except(actual).ToList(), []);
        Assert.Equal(actual.Except(expected).ToList(), []);
        Assert.Contains(actual, line => line.StartsWith("column users.is_disabled boolean", StringComparison.Ordinal));
    }

    /// <summary>
    /// One line per column, index and constraint of the app's own tables (not EF's history, not Quartz's,
    /// and not the sx_ expression indexes that only SQL can describe).
    /// </summary>
    private static async Task<List<string>> DescribeAsync(string connectionString)
    {
        const string sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
                   || coalesce('(' || character_maximum_length || ')', '') || ' null=' || is_nullable
                   || ' identity=' || is_identity
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name NOT LIKE 'qrtz%' AND table_name <> '__EFMigrationsHistory'
            UNION ALL
            SELECT 'index ' || indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND tablename NOT LIKE 'qrtz%' AND tablename <> '__EFMigrationsHistory'
              AND indexname NOT LIKE 'sx\_%'
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE 'qrtz%'
              AND conrelid::regclass::text <> '"__EFMigrationsHistory"'
            """;
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
