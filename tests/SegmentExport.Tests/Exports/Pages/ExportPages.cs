using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;

namespace SegmentExport.Tests.Exports.Pages;

/// <summary>What the export page tests share: profiles in two segments, exports written with SQL, and forms posted with repeated keys.</summary>
public static partial class ExportPages
{
    /// <summary>Profiles p1..p<paramref name="members"/>; segment 1 holds the odd ones, segment 2 the even ones.</summary>
    public static async Task SeedSegmentsAsync(ConnectionsKit kit, int members) =>
        await kit.ExecuteAsync($"""
            INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE
                VALUES (1, 'odd', '', '[]', 0, now(), now()), (2, 'even', '', '[]', 0, now(), now());
            INSERT INTO profiles (external_id, email, first_name, created_at, updated_at)
                SELECT 'p' || n, 'p' || n || '@example.com', 'Name' || n, now(), now() FROM generate_series(1, {members}) n;
            INSERT INTO segment_members SELECT CASE WHEN id % 2 = 1 THEN 1 ELSE 2 END, id FROM profiles;
            UPDATE segments SET member_count = (SELECT count(*) FROM segment_members m WHERE m.segment_id = segments.id);
            """);

    public static async Task<long> CreateExportAsync(ConnectionsKit kit, string name, long connectionId, string listId)
    {
        await ExecuteAsync(kit, $$"""
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
                VALUES ('{{name}}', {{connectionId}}, '{{listId}}', 'Sandbox Newsletter', '{"fields": [{"source": "first_name", "target": "first_name"}]}', '[]', false, 'Nothing', 'OnDemand', true, now(), now());
            INSERT INTO export_segments SELECT id, 1 FROM exports WHERE name = '{{name}}';
            """);
        return long.Parse(await ScalarAsync(kit, $"SELECT id FROM exports WHERE name = '{name}'"), CultureInfo.InvariantCulture);
    }

    public static Task ExecuteAsync(ConnectionsKit kit, string sql) => kit.ExecuteAsync(sql);

    public static async Task<string> ScalarAsync(ConnectionsKit kit, string sql)
    {
        await using var db = new NpgsqlConnection(kit.App.Factory.ConnectionString);
        await db.OpenAsync(ConnectionsKit.Ct);
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToString(await command.ExecuteScalarAsync(ConnectionsKit.Ct), CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>Posts a form whose keys may repeat (checkboxes), with the antiforgery token from <paramref name="formPage"/>.</summary>
    public static Task<HttpResponseMessage> PostAsync(Browser browser, string formPage, string action, IEnumerable<KeyValuePair<string, string>> fields) =>
        browser.SubmitAsync(formPage, action, fields);

    public static long IdFrom(HttpResponseMessage response, string page)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect, got {(int)response.StatusCode}: {Browser.Text(response.Content.ReadAsStringAsync().Result)}");
        var match = Regex.Match(response.Headers.Location!.ToString(), $"/Data/Exports/{page}/(\\d+)");
        Assert.True(match.Success, $"Expected a redirect to {page}, got {response.Headers.Location}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
