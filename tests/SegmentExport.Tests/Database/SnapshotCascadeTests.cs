using Npgsql;
using SegmentExport.Tests.Infrastructure;

namespace SegmentExport.Tests.Database;

public sealed class SnapshotCascadeTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Deleting_profiles_or_segments_removes_their_memberships_without_foreign_keys()
    {
        await using var app = TestApp.Start(postgres, "cascade");
        _ = app.Factory.Server;
        await using var db = new NpgsqlConnection(app.Factory.ConnectionString);
        await db.OpenAsync();
        await ExecuteAsync(db, """
            INSERT INTO profiles (id, email, created_at, updated_at) OVERRIDING SYSTEM VALUE
                VALUES (1, 'a@example.com', now(), now()), (2, 'b@example.com', now(), now()), (3, 'c@example.com', now(), now());
            INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE
                VALUES (10, 'one', '', '{}', 0, now(), now()), (11, 'two', '', '{}', 0, now(), now());
            INSERT INTO segment_members VALUES (10, 1), (10, 2), (10, 3), (11, 1), (11, 3);
            """);

        await ExecuteAsync(db, "DELETE FROM profiles WHERE id IN (1, 2)");
        Assert.Equal("10:3,11:3", await MembersAsync(db));

        await ExecuteAsync(db, "DELETE FROM segments WHERE id = 10");
        Assert.Equal("11:3", await MembersAsync(db));
    }

    private static async Task ExecuteAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> MembersAsync(NpgsqlConnection db)
    {
        await using var command = new NpgsqlCommand("SELECT string_agg(segment_id || ':' || profile_id, ',' ORDER BY segment_id, profile_id) FROM segment_members", db);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
