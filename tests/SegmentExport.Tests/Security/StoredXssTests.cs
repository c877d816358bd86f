using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using static SegmentExport.Tests.Security.SecurityKit;

namespace SegmentExport.Tests.Security;

/// <summary>
/// Markup in everything people and platforms can name (profiles, segments, exports, connections, platform error messages,
/// rejected rows, import errors) is shown as text on every page and in every JSON answer, never as markup.
/// </summary>
public sealed partial class StoredXssTests(PostgresCluster postgres)
{
    private const string Payload = "<script>alert('xss')</script><img src=x onerror=alert(1)>\"'&";

    [Fact]
    public async Task Markup_in_names_and_platform_messages_is_shown_as_text_on_every_page()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "xss");
        using var admin = await kit.AdminAsync();

        // People's input, through the app's own doors.
        // An API token named with markup (its page lists it), and the API called with it.
        var (secret, _) = await ApiTokenAsync(kit, admin, Payload);
        using (var script = ApiClient(kit, secret))
        using (var api = await script.PostAsJsonAsync("/api/profiles", new
        {
            profiles = new[] { new { externalId = "x1", email = "xss@example.com", firstName = Payload, lastName = Payload, attributes = new Dictionary<string, object> { ["note"] = Payload } } },
        }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        }

        var import = await UploadAsync(admin, "email,first_name,note\n\"csv@example.com\",\"" + Payload.Replace("\"", "\"\"", StringComparison.Ordinal) + "\",x\n", "<img src=x onerror=alert(1)>.csv");
        var profile = await ScalarAsync(kit, "SELECT id FROM profiles WHERE external_id = 'x1'");
        using (var segment = await admin.SubmitAsync("/Data/Segments/Edit", new Dictionary<string, string>
        {
            ["Input.Name"] = Payload,
            ["Input.Description"] = Payload,
            ["Input.Rules"] = """{"match":"all","conditions":[{"field":"email","operator":"contains","value":"@"}]}""",
        }))
        {
            Assert.Equal(HttpStatusCode.Redirect, segment.StatusCode);
        }

        var segmentId = await ScalarAsync(kit, "SELECT max(id) FROM segments");
        var connection = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, Platforms.Mailchimp, Payload, ConnectionsKit.MailchimpKey, shared: true));

        // What platforms say, as the engine and the health check record it.
        await kit.ExecuteAsync($$"""
            INSERT INTO segment_members SELECT {{segmentId}}, id FROM profiles ON CONFLICT DO NOTHING;
            UPDATE connections SET health = 'NeedsReauthentication', health_reason = $x${{Payload}}$x$, account_name = $x${{Payload}}$x$ WHERE id = {{connection}};
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
                VALUES ($x${{Payload}}$x$, {{connection}}, 'a1b2c3d4e5', $x${{Payload}}$x$, '{"fields": [{"source": "first_name", "target": "first_name"}]}', '[]', false, 'Nothing', 'OnDemand', true, now(), now());
            INSERT INTO export_segments SELECT max(id), {{segmentId}} FROM exports;
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, started_at, finished_at, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries, error)
                SELECT max(id), 'Failed', 'manual', false, false, $x${{Payload}}$x$, now(), now(), now(), false, 'Done', 2, 2, 1, 0, 0, 0, 0, 1, 0, 0, $x${{Payload}}$x$ FROM exports;
            INSERT INTO export_run_events (run_id, at, message) SELECT max(id), now(), $x${{Payload}}$x$ FROM export_runs;
            INSERT INTO export_run_rows (run_id, email, rejected, code, reason) SELECT max(id), $x$a{{Payload}}@example.com$x$, true, $x${{Payload}}$x$, $x${{Payload}}$x$ FROM export_runs;
            UPDATE profile_imports SET status = 'Failed', error = $x${{Payload}}$x$ WHERE id = {{import}};
            INSERT INTO import_rejections (import_id, row_number, reason) VALUES ({{import}}, 2, $x${{Payload}}$x$);
            """);
        var export = await ScalarAsync(kit, "SELECT max(id) FROM exports");
        var run = await ScalarAsync(kit, "SELECT max(id) FROM export_runs");

        string[] pages =
        [
            "/", "/Data/Profiles", "/Data/Profiles?q=" + Uri.EscapeDataString(Payload), $"/Data/Profiles/Details/{profile}", $"/Data/Profiles?segment={segmentId}",
            "/Data/Profiles/Imports", $"/Data/Profiles/Imports/Details/{import}",
            "/Data/Segments", $"/Data/Segments/Details/{segmentId}", $"/Data/Segments/Edit/{segmentId}", $"/Data/Segments/Delete/{segmentId}",
            "/Data/Exports", $"/Data/Exports/Details/{export}", $"/Data/Exports/Edit/{export}", $"/Data/Exports/Delete/{export}", $"/Data/Exports/Run/{run}",
            "/Data/Connections", "/Admin/Connections", $"/Admin/Connections/Details/{connection}", $"/Admin/Connections/Edit/{connection}",
            $"/Admin/Connections/Remove/{connection}", "/Admin/System", "/Admin/Users", "/Account/ApiTokens",
        ];
        var shownAsText = 0;
        foreach (var page in pages)
        {
            var (status, html) = await admin.GetAsync(page);
            Assert.True(status == HttpStatusCode.OK, $"{page}: {(int)status}");
            AssertNoMarkup(page, html);
            shownAsText += Browser.Text(html).Contains("<script>alert('xss')</script>", StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.True(shownAsText >= 15, $"The payload was shown as text on only {shownAsText} of {pages.Length} pages.");

        // The page that shows a new token shows its name as text too.
        using (var created = await admin.SubmitAsync("/Account/ApiTokens", "/Account/ApiTokens?handler=Create", new Dictionary<string, string> { ["Input.Name"] = "2 " + Payload, ["Input.ExpiresInDays"] = "7" }))
        {
            var html = await created.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            AssertNoMarkup("a new API token", html);
            Assert.Contains("2 <script>alert('xss')</script>", Browser.Text(html), StringComparison.Ordinal);
        }

        // The API's own answers: JSON, so a browser never renders them as a page.
        using (var script = ApiClient(kit, secret))
        {
            foreach (var path in new[] { $"/api/exports/{export}", $"/api/runs/{run}", $"/api/runs/{run}/rows", "/api/segments", "/api/connections" })
            {
                using var response = await script.GetAsync(path, Ct);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
                var json = await response.Content.ReadAsStringAsync(Ct);
                Assert.Contains("xss", json, StringComparison.Ordinal);
                AssertNoMarkup(path, json);
            }
        }

        // JSON answers (the progress poll, the import status poll, the segment preview) escape markup characters.
        foreach (var path in new[] { $"/Data/Exports/Run/{run}?handler=Progress", $"/Data/Profiles/Imports/Details/{import}?handler=Status" })
        {
            using var response = await admin.Client.GetAsync(path, Ct);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            AssertNoMarkup(path, await response.Content.ReadAsStringAsync(Ct));
        }

        // A rule value with markup comes back in the page's JSON data block and the form, escaped in both.
        using (var invalid = await admin.SubmitAsync($"/Data/Segments/Edit/{segmentId}", new Dictionary<string, string>
        {
            ["Input.Name"] = Payload,
            ["Input.Rules"] = "{\"match\":\"all\",\"conditions\":[{\"field\":\"attributes.note\",\"operator\":\"greater_than\",\"value\":\"</script><script>alert(3)</script>\"}]}",
        }))
        {
            var html = await invalid.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
            Assert.DoesNotContain("</script><script>alert(3)", html, StringComparison.Ordinal);
            AssertNoMarkup("segment form with errors", html);
        }

        // The rejected rows as CSV: a download, not a page, so a browser never renders it.
        using (var csv = await admin.Client.GetAsync($"/Data/Exports/Run/{run}?handler=Csv&kind=rejected", Ct))
        {
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        }
    }

    [Fact]
    public void Scripts_build_the_page_with_text_nodes_never_with_markup_strings()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "SegmentExport.Web", "wwwroot", "js");
        var scripts = Directory.GetFiles(Path.GetFullPath(root), "*.js");
        Assert.True(scripts.Length >= 4, $"Found only {scripts.Length} scripts under {root}.");
        foreach (var script in scripts)
        {
            var source = File.ReadAllText(script);
            foreach (Match sink in HtmlSink().Matches(source))
            {
                Assert.Fail($"{Path.GetFileName(script)} uses {sink.Value}: build nodes with textContent/createElement instead.");
            }
        }
    }

    private static void AssertNoMarkup(string where, string body)
    {
        Assert.False(body.Contains("<script>alert", StringComparison.OrdinalIgnoreCase), $"{where} contains the script tag as markup.");
        Assert.False(body.Contains("<img src=x", StringComparison.OrdinalIgnoreCase), $"{where} contains the img tag as markup.");
        Assert.False(body.Contains("onerror=alert", StringComparison.Ordinal) && !body.Contains("&lt;img src=x onerror=alert", StringComparison.Ordinal)
            && !body.Contains("\\u003Cimg src=x onerror=alert", StringComparison.Ordinal), $"{where} contains an event handler outside escaped text.");
    }

    [GeneratedRegex("\\.(innerHTML|outerHTML)\\s*[+]?=|insertAdjacentHTML|document\\.write|\\beval\\s*\\(|new\\s+Function\\s*\\(|createContextualFragment")]
    private static partial Regex HtmlSink();
}
