using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Security.SecurityKit;

namespace SegmentExport.Tests.Security;

/// <summary>
/// One administrator's day through every state-changing handler: each change leaves an audit entry naming who (id and
/// name) and when, and every action the access table promises for a POST handler is among them.
/// </summary>
public sealed class AuditTrailTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Every_change_through_the_app_is_audited_with_who_and_when()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "audit-trail");
        var email = $"auditor-{Guid.NewGuid():N}@example.com";
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var admin = await kit.App.SignedInAsync(Roles.Administrator, email);
        var adminId = await ScalarAsync(kit, $"SELECT id FROM users WHERE email = '{email}'");

        async Task Post(string page, string action, params (string Key, string Value)[] fields)
        {
            using var response = await admin.SubmitAsync(page, action, fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"POST {action}: {(int)response.StatusCode} {Browser.Text(await response.Content.ReadAsStringAsync(Ct))}");
        }

        // Demo data only goes into an empty install: first.
        await Post("/Data/Profiles", "/Data/Profiles?handler=Demo");

        // Users.
        await Post("/Admin/Users/Create", "/Admin/Users/Create", ("Input.DisplayName", "Bea"), ("Input.Email", "bea@example.com"),
            ("Input.Password", TestApp.Password), ("Input.ConfirmPassword", TestApp.Password), ("Role", Roles.Viewer));
        var bea = await ScalarAsync(kit, "SELECT id FROM users WHERE email = 'bea@example.com'");
        var user = $"/Admin/Users/Edit/{bea}";
        await Post(user, user + "?handler=Role", ("role", Roles.Contributor));
        await Post(user, user + "?handler=Disable");
        await Post(user, user + "?handler=Enable");
        await Post(user, user + "?handler=Password", ("NewPassword", "another long password"), ("ConfirmPassword", "another long password"));

        // The system refresh.
        await Post("/Admin/System", "/Admin/System?handler=Schedule", ("Mode", "daily"), ("Time", "02:30"), ("TimeZone", "UTC"));
        await Post("/Admin/System", "/Admin/System?handler=RefreshNow");

        // Connections: an API key one changed, tested and removed; an OAuth one reconnected.
        var connection = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, Platforms.Mailchimp, "Audited", ConnectionsKit.MailchimpKey, shared: true));
        var details = $"/Admin/Connections/Details/{connection}";
        await Post($"/Admin/Connections/Edit/{connection}", $"/Admin/Connections/Edit/{connection}", ("Input.Name", "Audited and renamed"), ("Input.ProfileCap", "500"), ("Input.SharedWithContributors", "true"));
        await Post(details, details + "?handler=Test");
        using (var toPlatform = await ConnectionsKit.SubmitWizardAsync(admin, Platforms.ConstantContact, "Audited OAuth", new Dictionary<string, string> { ["Input.AuthMethod"] = "oauth" }))
        {
            var oauth = ConnectionsKit.IdFrom(await ConnectionsKit.AuthorizeAsync(admin, toPlatform));
            using var reconnect = await admin.SubmitAsync($"/Admin/Connections/Details/{oauth}", $"/Admin/Connections/Details/{oauth}?handler=Reconnect", new Dictionary<string, string>());
            Assert.Equal(HttpStatusCode.Redirect, (await ConnectionsKit.AuthorizeAsync(admin, reconnect)).StatusCode);
        }

        // Imports and the API.
        var import = await UploadAsync(admin, "email,first_name\nimported@example.com,Imp\n");
        var map = $"/Data/Profiles/Import/Map/{import}";
        await Post(map, map + "?handler=Preview", ("Delimiter", ","), ("HasHeader", "true"));
        await Post(map, map + "?handler=Start", ("Columns[0].Target", "Email"), ("Columns[1].Target", "FirstName"));
        // The API with a token made on the API tokens page: its changes are the token owner's; then the token is revoked.
        var (secret, tokenId) = await ApiTokenAsync(kit, admin, "audited script");
        using (var script = ApiClient(kit, secret))
        {
            using (var api = await script.PostAsJsonAsync("/api/profiles", new { profiles = new[] { new { email = "api-audit@example.com" } } }, Ct))
            {
                Assert.Equal(HttpStatusCode.OK, api.StatusCode);
            }

            await Post("/Account/ApiTokens", $"/Account/ApiTokens?handler=Revoke&id={tokenId}");
            using var revoked = await script.PostAsJsonAsync("/api/profiles", new { profiles = new[] { new { email = "api-revoked@example.com" } } }, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        }

        // Segments.
        const string rules = """{"match":"all","conditions":[{"field":"email","operator":"contains","value":"@"}]}""";
        await Post("/Data/Segments/Edit", "/Data/Segments/Edit", ("Input.Name", "Audited segment"), ("Input.Rules", rules));
        var segment = await ScalarAsync(kit, "SELECT id FROM segments WHERE name = 'Audited segment'");
        await Post($"/Data/Segments/Edit/{segment}", $"/Data/Segments/Edit/{segment}", ("Input.Name", "Audited segment"), ("Input.Description", "changed"), ("Input.Rules", rules));
        await Post($"/Data/Segments/Details/{segment}", $"/Data/Segments/Details/{segment}?handler=Refresh");
        await Post($"/Data/Segments/Details/{segment}", $"/Data/Segments/Details/{segment}?handler=Duplicate");
        await Post("/Data/Segments", "/Data/Segments?handler=RefreshAll");

        // Exports.
        (string, string)[] export =
        [
            ("Input.Name", "Audited export"), ("Input.ConnectionId", connection.ToString(CultureInfo.InvariantCulture)), ("Input.ListId", "a1b2c3d4e5"),
            ("Input.SegmentIds", segment.ToString(CultureInfo.InvariantCulture)), ("Input.Fields[0].Source", "first_name"), ("Input.Fields[0].Target", "first_name"),
            ("Input.Leavers", "Nothing"), ("Input.Schedule", "SystemRefresh"), ("Input.Enabled", "true"),
        ];
        await Post("/Data/Exports/Edit", "/Data/Exports/Edit", export);
        var exportId = await ScalarAsync(kit, "SELECT id FROM exports WHERE name = 'Audited export'");
        await Post($"/Data/Exports/Edit/{exportId}", $"/Data/Exports/Edit/{exportId}", [.. export, ("Input.Tags", "audited")]);
        await Post("/Data/Exports", $"/Data/Exports?handler=Enable&id={exportId}&enabled=false");
        await Post("/Data/Exports", $"/Data/Exports?handler=Enable&id={exportId}&enabled=true");
        await Post($"/Data/Exports/Details/{exportId}", $"/Data/Exports/Details/{exportId}?handler=Duplicate");
        await Post($"/Data/Exports/Details/{exportId}", $"/Data/Exports/Details/{exportId}?handler=Run&mode=dry");
        await Eventually.HoldsAsync(async () => await ScalarAsync(kit, "SELECT count(*) FROM export_runs WHERE status IN ('Queued', 'Running')") == 0, "the dry run ends");
        var queued = await ScalarAsync(kit, $"""
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries)
            VALUES ({exportId}, 'Queued', 'manual', false, false, 'test', now(), false, 'Upsert', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) RETURNING id
            """);
        await Post($"/Data/Exports/Run/{queued}", $"/Data/Exports/Run/{queued}?handler=Cancel");
        await kit.ExecuteAsync($"UPDATE export_runs SET status = 'Cancelled', finished_at = now() WHERE id = {queued}");
        await Post($"/Data/Exports/Delete/{exportId}", $"/Data/Exports/Delete/{exportId}");
        var copy = await ScalarAsync(kit, "SELECT id FROM exports WHERE name = 'Audited export (copy)'");
        await Post($"/Data/Exports/Delete/{copy}", $"/Data/Exports/Delete/{copy}");
        await Post($"/Data/Segments/Delete/{segment}", $"/Data/Segments/Delete/{segment}");
        await Post($"/Admin/Connections/Remove/{connection}", $"/Admin/Connections/Remove/{connection}");

        // Out and back in.
        await Post("/", "/Account/Logout");
        await admin.SignInAsync(email, TestApp.Password);

        var entries = await RowsAsync(kit.App.Factory.ConnectionString, "SELECT action, coalesce(actor_id::text, ''), actor_name, occurred_at, summary FROM audit_entries ORDER BY id");
        var ended = DateTimeOffset.UtcNow.AddSeconds(1);
        var mine = entries.Where(e => e[1] == adminId.ToString(CultureInfo.InvariantCulture) && e[2] == email).ToList();
        Assert.All(mine, e =>
        {
            var at = DateTimeOffset.Parse(e[3], CultureInfo.InvariantCulture);
            Assert.InRange(at, started, ended);
            Assert.False(string.IsNullOrWhiteSpace(e[4]), $"{e[0]} has no summary");
        });

        var promised = AccessTable.Rows.Where(r => r.Audit is { Length: > 0 }).Select(r => r.Audit!).Distinct().ToList();
        var recorded = mine.Select(e => e[0]).ToHashSet();
        var missing = promised.Except(recorded).ToList();
        Assert.True(missing.Count == 0, $"No audit entry by {email} for: {string.Join(", ", missing)}. Recorded: {string.Join(", ", recorded.Order())}");
        Assert.Contains("export.created", recorded);
        Assert.Contains("export.disabled", recorded);
        Assert.Contains("segment.created", recorded);
    }
}
