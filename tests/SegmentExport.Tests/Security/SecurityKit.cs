using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Security;

/// <summary>One of each kind of object, owned by one caller of the role matrix.</summary>
public sealed record OwnObjects(long Connection, long Segment, long Export, long Run, long Import, long Profile, long User)
{
    public string Fill(string path) => path
        .Replace("{connection}", Id(Connection), StringComparison.Ordinal)
        .Replace("{segment}", Id(Segment), StringComparison.Ordinal)
        .Replace("{export}", Id(Export), StringComparison.Ordinal)
        .Replace("{run}", Id(Run), StringComparison.Ordinal)
        .Replace("{import}", Id(Import), StringComparison.Ordinal)
        .Replace("{profile}", Id(Profile), StringComparison.Ordinal)
        .Replace("{user}", Id(User), StringComparison.Ordinal);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Shared steps of the security tests: objects made through the app (or SQL where the app has no form), tokens, plain SQL.</summary>
public static partial class SecurityKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A connection (through the wizard), a segment with one profile, an export of it with a finished run, an uploaded import and a user.</summary>
    public static async Task<OwnObjects> SeedAsync(ConnectionsKit kit, Browser admin, string owner)
    {
        var connection = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, Platforms.Mailchimp, "Connection of " + owner, ConnectionsKit.MailchimpKey, shared: true));
        var profile = await ScalarAsync(kit, $"INSERT INTO profiles (external_id, email, first_name, created_at, updated_at) VALUES ('{owner}', '{owner}@example.com', 'Owner', now(), now()) RETURNING id");
        var segment = await ScalarAsync(kit, $"INSERT INTO segments (name, description, rules, member_count, created_at, updated_at) VALUES ('Segment of {owner}', '', '{Rules(owner)}', 1, now(), now()) RETURNING id");
        await kit.ExecuteAsync($"INSERT INTO segment_members VALUES ({segment}, {profile})");
        var export = await ScalarAsync(kit, $$"""
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
            VALUES ('Export of {{owner}}', {{connection}}, 'a1b2c3d4e5', 'Newsletter', '{"fields": [{"source": "first_name", "target": "first_name"}]}', '[]', false, 'Nothing', 'OnDemand', true, now(), now())
            RETURNING id
            """);
        await kit.ExecuteAsync($"INSERT INTO export_segments VALUES ({export}, {segment})");
        var run = await ScalarAsync(kit, $"""
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, started_at, finished_at, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries)
            VALUES ({export}, 'Succeeded', 'manual', false, false, 'seed', now(), now(), now(), false, 'Done', 1, 1, 1, 1, 0, 0, 0, 0, 0, 0) RETURNING id
            """);
        var import = await UploadAsync(admin, "email,first_name\n" + owner + "-import@example.com,Imported\n");
        var user = await kit.App.CreateUserAsync($"target-{owner}-{Guid.NewGuid():N}@example.com", Roles.Viewer);
        return new OwnObjects(connection, segment, export, run, import, profile, user.Id);
    }

    /// <summary>The seeded segment's rules: its one profile.</summary>
    private static string Rules(string owner) =>
        $$"""{"match":"all","conditions":[{"field":"email","operator":"equals","value":"{{owner}}@example.com"}]}""";

    /// <summary>Uploads a CSV file through the import page; returns the import's id.</summary>
    public static async Task<long> UploadAsync(Browser browser, string csv, string fileName = "people.csv")
    {
        using var response = await browser.UploadAsync("/Data/Profiles/Import", "/Data/Profiles/Import", "Upload", fileName, Encoding.UTF8.GetBytes(csv));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Upload failed: {(int)response.StatusCode} {Browser.Text(await response.Content.ReadAsStringAsync(Ct))}");
        return long.Parse(TrailingId().Match(response.Headers.Location!.ToString()).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The antiforgery token a page gives this browser (any page with a form; the layout's sign-out form will do).</summary>
    public static async Task<string> TokenAsync(Browser browser, string page)
    {
        var (_, html) = await browser.GetAsync(page);
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, $"{page} has no antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>
    /// A personal API token, made as a person makes one: on Account > API tokens, read off the page that shows it once.
    /// Returns the secret and the token's id.
    /// </summary>
    public static async Task<(string Secret, long Id)> ApiTokenAsync(ConnectionsKit kit, Browser browser, string name = "script")
    {
        using var response = await browser.SubmitAsync("/Account/ApiTokens", "/Account/ApiTokens?handler=Create",
            new Dictionary<string, string> { ["Input.Name"] = name, ["Input.ExpiresInDays"] = "30" });
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"No token was created: {(int)response.StatusCode} {Browser.Text(html)}");
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        var secret = WebUtility.HtmlDecode(SecretPattern().Match(html).Groups[1].Value);
        Assert.StartsWith("sxp_", secret, StringComparison.Ordinal);
        var id = await ScalarAsync(kit, $"SELECT id FROM api_tokens WHERE token_hash = '{SegmentExport.Web.Api.ApiTokens.Hash(secret)}'");
        return (secret, id);
    }

    /// <summary>A client as a script is: no cookies, the token (when given) as <c>Authorization: Bearer</c>.</summary>
    public static HttpClient ApiClient(ConnectionsKit kit, string? secret)
    {
        var client = kit.App.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (secret is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        }

        return client;
    }

    public static async Task<HttpResponseMessage> PostAsync(Browser browser, string path, string? token, IEnumerable<KeyValuePair<string, string>>? fields = null)
    {
        var all = (fields ?? []).ToList();
        if (token is not null)
        {
            all.Add(new("__RequestVerificationToken", token));
        }

        using var content = new FormUrlEncodedContent(all);
        return await browser.Client.PostAsync(path, content, Ct);
    }

    public static async Task<long> ScalarAsync(ConnectionsKit kit, string sql) =>
        Convert.ToInt64(await ScalarObjectAsync(kit.App.Factory.ConnectionString, sql), CultureInfo.InvariantCulture);

    public static async Task<object?> ScalarObjectAsync(string connectionString, string sql)
    {
        await using var db = new NpgsqlConnection(Unpooled(connectionString));
        await db.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, db);
        return await command.ExecuteScalarAsync(Ct);
    }

    public static async Task<List<string[]>> RowsAsync(string connectionString, string sql)
    {
        await using var db = new NpgsqlConnection(Unpooled(connectionString));
        await db.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string[]>();
        while (await reader.ReadAsync(Ct))
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[i] = reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The tests' own SQL leaves no pooled connections behind on the shared server.</summary>
    public static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("id=\"secret\"[^>]*\\svalue=\"([^\"]+)\"")]
    private static partial Regex SecretPattern();

    [GeneratedRegex("/(\\d+)(?:$|[?#])")]
    private static partial Regex TrailingId();
}
