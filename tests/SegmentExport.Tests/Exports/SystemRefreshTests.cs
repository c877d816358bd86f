using System.Net;
using Npgsql;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;

namespace SegmentExport.Tests.Exports;

public sealed class SystemRefreshTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Refresh_now_refreshes_the_segments_then_runs_the_exports_that_follow_the_system_refresh()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "sysrefresh");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey));
        await kit.ExecuteAsync($$"""
            INSERT INTO profiles (external_id, email, first_name, attributes, created_at, updated_at)
                SELECT 'p' || n, 'p' || n || '@example.com', 'Name' || n,
                       jsonb_build_object('country', CASE WHEN n % 2 = 0 THEN 'de' ELSE 'fr' END), now(), now()
                FROM generate_series(1, 10) n;
            INSERT INTO attribute_definitions VALUES ('country', 'Text', now());
            INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE
                VALUES (1, 'Germany', '', '{"match":"all","conditions":[{"field":"attributes.country","operator":"equals","value":"de"}]}', 0, now(), now());
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
                VALUES ('follows', {{connectionId}}, '{{MailchimpOptions.NewsletterListId}}', 'List', '{"fields": []}', '[]', false, 'Nothing', 'SystemRefresh', true, now(), now()),
                       ('on demand', {{connectionId}}, '{{MailchimpOptions.NewsletterListId}}', 'List', '{"fields": []}', '[]', false, 'Nothing', 'OnDemand', true, now(), now());
            INSERT INTO export_segments SELECT id, 1 FROM exports;
            """);

        using var started = await admin.SubmitAsync("/Admin/System", "/Admin/System?handler=RefreshNow", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);

        await Eventually.HoldsAsync(async () => await CountAsync(kit, "SELECT count(*) FROM export_runs WHERE status = 'Succeeded'") == 1,
            "the export that follows the system refresh ran");
        Assert.Equal(5L, await CountAsync(kit, "SELECT member_count FROM segments WHERE id = 1"));
        Assert.Equal(1L, await CountAsync(kit, "SELECT count(*) FROM system_refreshes WHERE finished_at IS NOT NULL AND exports_queued = 1 AND segments = 1"));
        Assert.Equal(0L, await CountAsync(kit, "SELECT count(*) FROM export_runs r JOIN exports e ON e.id = r.export_id WHERE e.name = 'on demand'"));
        Assert.NotNull(kit.Sandbox.Mailchimp.InspectContact(MailchimpOptions.NewsletterListId, "p2@example.com"));
        Assert.Null(kit.Sandbox.Mailchimp.InspectContact(MailchimpOptions.NewsletterListId, "p1@example.com"));
        Assert.Contains("manual", Browser.Text((await admin.GetAsync("/Admin/System")).Html), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("daily", "02:30", null, null, "UTC", "0 30 2 * * ?")]
    [InlineData("weekly", "23:05", "MON", null, "Europe/Oslo", "0 5 23 ? * MON")]
    [InlineData("cron", null, null, "0 0 6 ? * MON-FRI", "America/New_York", "0 0 6 ? * MON-FRI")]
    public async Task An_administrator_sets_the_system_refresh_schedule_in_a_time_zone(string mode, string? time, string? day, string? cron, string zone, string expected)
    {
        await using var app = TestApp.Start(postgres, "sysschedule");
        using var admin = await app.SignedInAsync(SegmentExport.Web.Identity.Roles.Administrator);
        var fields = new Dictionary<string, string> { ["Mode"] = mode, ["TimeZone"] = zone, ["Time"] = time ?? "", ["Day"] = day ?? "", ["Cron"] = cron ?? "" };

        using var saved = await admin.SubmitAsync("/Admin/System", "/Admin/System?handler=Schedule", fields);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var text = Browser.Text((await admin.GetAsync("/Admin/System")).Html);
        Assert.Contains($"Now: {expected} ({zone})", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_schedule_is_refused_with_a_sentence_and_a_viewer_cannot_change_it()
    {
        await using var app = TestApp.Start(postgres, "sysbad");
        using var admin = await app.SignedInAsync(SegmentExport.Web.Identity.Roles.Administrator);
        using var bad = await admin.SubmitAsync("/Admin/System", "/Admin/System?handler=Schedule",
            new Dictionary<string, string> { ["Mode"] = "cron", ["Cron"] = "every morning", ["TimeZone"] = "UTC" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("is not a Quartz cron expression", Browser.Text(await bad.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        using var badZone = await admin.SubmitAsync("/Admin/System", "/Admin/System?handler=Schedule",
            new Dictionary<string, string> { ["Mode"] = "daily", ["Time"] = "02:00", ["TimeZone"] = "Mars/Olympus" });
        Assert.Contains("is not a time zone", Browser.Text(await badZone.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        using var viewer = await app.SignedInAsync(SegmentExport.Web.Identity.Roles.Viewer);
        using var refused = await viewer.SubmitAsync("/Data/Profiles", "/Admin/System?handler=RefreshNow", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task The_schedule_form_shows_the_schedule_in_force_and_says_next_to_the_field_what_to_fix()
    {
        await using var app = TestApp.Start(postgres, "sysform");
        using var admin = await app.SetUpAdministratorAsync();

        using var saved = await admin.SubmitAsync("/Admin/System", "/Admin/System?handler=Schedule",
            new Dictionary<string, string> { ["Mode"] = "weekly", ["Day"] = "TUE", ["Time"] = "04:15", ["TimeZone"] = "Europe/Oslo" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var (_, page) = await admin.GetAsync("/Admin/System");
        Assert.Contains("<option value=\"weekly\" selected=\"selected\">", page, StringComparison.Ordinal);
        Assert.Contains("<option selected=\"selected\">TUE</option>", page, StringComparison.Ordinal);
        Assert.Contains("value=\"04:15\"", page, StringComparison.Ordinal);

        using var bad = await admin.SubmitAsync("/Admin/System", "/Admin/System?handler=Schedule",
            new Dictionary<string, string> { ["Mode"] = "daily", ["Time"] = "25:99", ["TimeZone"] = "Mars/Olympus" });
        var html = await bad.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Matches("id=\"time-error\">[^<]*HH:mm", html);
        Assert.Matches("id=\"tz-error\">[^<]*is not a time zone this server knows", html);
        Assert.Contains("<option value=\"daily\" selected=\"selected\">", html, StringComparison.Ordinal);
        Assert.Contains("value=\"25:99\"", html, StringComparison.Ordinal);
    }

    private static async Task<long> CountAsync(ConnectionsKit kit, string sql)
    {
        await using var db = new NpgsqlConnection(kit.App.Factory.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
