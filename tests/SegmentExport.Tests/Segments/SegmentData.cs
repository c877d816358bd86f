using Npgsql;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Segments;

namespace SegmentExport.Tests.Segments;

/// <summary>
/// Plain-SQL helpers for segment tests: attribute definitions, profiles and segments written straight into
/// the tables, so these tests depend on nothing but the schema.
/// </summary>
public static class SegmentData
{
    /// <summary>The date the compiler tests count "within the last N days" back from.</summary>
    public static readonly DateOnly Today = new(2026, 11, 22);

    public static async Task DefineAttributesAsync(NpgsqlDataSource db, params (string Name, string Type)[] attributes)
    {
        foreach (var (name, type) in attributes)
        {
            await ExecuteAsync(db, "INSERT INTO attribute_definitions (name, type, created_at) VALUES (@name, @type, now())",
                new() { ["name"] = name, ["type"] = type });
        }
    }

    /// <summary>Inserts a profile; <paramref name="attributes"/> is raw JSON. Returns its id.</summary>
    public static async Task<long> AddProfileAsync(NpgsqlDataSource db, string externalId, string? email = null, string? first = null,
        string? last = null, string? phone = null, string attributes = "{}", string created = "2025-01-01T00:00:00Z")
    {
        await using var command = db.CreateCommand("""
            INSERT INTO profiles (external_id, email, first_name, last_name, phone, attributes, created_at, updated_at)
            VALUES (@external_id, @email, @first, @last, @phone, @attributes::jsonb, @created::timestamptz, @created::timestamptz)
            RETURNING id
            """);
        command.Parameters.AddWithValue("external_id", externalId);
        command.Parameters.AddWithValue("email", (object?)email ?? DBNull.Value);
        command.Parameters.AddWithValue("first", (object?)first ?? DBNull.Value);
        command.Parameters.AddWithValue("last", (object?)last ?? DBNull.Value);
        command.Parameters.AddWithValue("phone", (object?)phone ?? DBNull.Value);
        command.Parameters.AddWithValue("attributes", attributes);
        command.Parameters.AddWithValue("created", created);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<long> AddSegmentAsync(NpgsqlDataSource db, string name, string rulesJson)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO segments (name, description, rules, member_count, created_at, updated_at)
            VALUES (@name, '', @rules::jsonb, 0, now(), now()) RETURNING id
            """);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("rules", rulesJson);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>External ids of the profiles the rule matches, sorted, comma-separated ("" for none).</summary>
    public static async Task<string> MatchAsync(NpgsqlDataSource db, string rulesJson, DateOnly? today = null)
    {
        await using var connection = await db.OpenConnectionAsync();
        var fields = await SegmentFields.LoadAsync(connection, CancellationToken.None);
        var compiled = RuleCompiler.TryCompile(rulesJson, fields, today ?? Today, out var errors);
        Assert.True(compiled is not null, string.Join(" ", errors));
        await using var command = new NpgsqlCommand($"SELECT external_id FROM profiles p WHERE {compiled.Where} ORDER BY external_id", connection);
        compiled.AddTo(command);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return string.Join(",", ids);
    }

    public static async Task<string> MembersAsync(NpgsqlDataSource db, long segmentId)
    {
        await using var command = db.CreateCommand("""
            SELECT string_agg(p.external_id, ',' ORDER BY p.external_id) FROM segment_members m JOIN profiles p ON p.id = m.profile_id
            WHERE m.segment_id = @id
            """);
        command.Parameters.AddWithValue("id", segmentId);
        return await command.ExecuteScalarAsync() as string ?? "";
    }

    public static async Task<object?> ScalarAsync(NpgsqlDataSource db, string sql, Dictionary<string, object>? parameters = null)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var (name, value) in parameters ?? [])
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    public static async Task ExecuteAsync(NpgsqlDataSource db, string sql, Dictionary<string, object>? parameters = null)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var (name, value) in parameters ?? [])
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>An app on a fresh database, migrated, with its data source for plain SQL.</summary>
    public static (TestApp App, NpgsqlDataSource Db) StartApp(PostgresCluster postgres, string purpose)
    {
        var app = TestApp.Start(postgres, purpose);
        var db = (NpgsqlDataSource)app.Factory.Services.GetService(typeof(NpgsqlDataSource))!;
        return (app, db);
    }
}
