using System.Net;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Exports.Pages.ExportPages;

namespace SegmentExport.Tests.Exports.Pages;

public sealed class ExportRunPageTests(PostgresCluster postgres)
{
    [Fact]
    public async Task The_form_says_next_to_each_field_what_to_fix_for_an_unknown_list_a_bad_cron_and_an_unknown_time_zone()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportinvalid");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey, shared: true));
        await SeedSegmentsAsync(kit, 2);

        using var response = await PostAsync(admin, "/Data/Exports/Edit", "/Data/Exports/Edit",
        [
            new("Input.Name", "broken"), new("Input.ConnectionId", connectionId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Input.TypedListId", "nosuchlist"), new("Input.SegmentIds", "1"), new("Input.Schedule", "Cron"),
            new("Input.CronExpression", "every morning"), new("Input.TimeZone", "Mars/Olympus"),
            new("Input.Fields[0].Source", "first_name"), new("Input.Fields[0].Target", "NOPE"),
        ]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = Browser.Text(await response.Content.ReadAsStringAsync(ConnectionsKit.Ct));
        Assert.Contains("Mailchimp has no list with the id “nosuchlist”", text, StringComparison.Ordinal);
        Assert.Contains("“every morning” is not a Quartz cron expression", text, StringComparison.Ordinal);
        Assert.Contains("“Mars/Olympus” is not a time zone", text, StringComparison.Ordinal);
        Assert.Equal("0", await ScalarAsync(kit, "SELECT count(*) FROM exports"));
    }

    [Fact]
    public async Task Saving_an_export_with_its_own_cron_schedules_it_in_its_time_zone_without_running_it()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportcron");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey, shared: true));
        await SeedSegmentsAsync(kit, 2);

        using var saved = await PostAsync(admin, "/Data/Exports/Edit", "/Data/Exports/Edit",
        [
            new("Input.Name", "mornings"), new("Input.ConnectionId", connectionId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Input.ListId", MailchimpOptions.NewsletterListId), new("Input.SegmentIds", "2"), new("Input.Schedule", "Cron"),
            new("Input.CronExpression", "0 0 6 * * ?"), new("Input.TimeZone", "Europe/Berlin"), new("Input.Enabled", "true"),
        ]);
        var exportId = IdFrom(saved, "Details");
        var scheduler = await kit.Get<Quartz.ISchedulerFactory>().GetScheduler(ConnectionsKit.Ct);
        var trigger = Assert.IsAssignableFrom<Quartz.ICronTrigger>(await scheduler.GetTrigger(SegmentExport.Web.Exports.ExportSchedules.TriggerFor(exportId), ConnectionsKit.Ct));
        Assert.Equal("0 0 6 * * ?", trigger.CronExpressionString);
        Assert.Equal("Europe/Berlin", trigger.TimeZone.Id);
        Assert.Equal("0", await ScalarAsync(kit, "SELECT count(*) FROM export_runs"));

        using var disabled = await PostAsync(admin, "/Data/Exports", $"/Data/Exports?handler=Enable&id={exportId}&enabled=false", []);
        Assert.Equal(HttpStatusCode.Redirect, disabled.StatusCode);
        Assert.Null(await scheduler.GetTrigger(SegmentExport.Web.Exports.ExportSchedules.TriggerFor(exportId), ConnectionsKit.Ct));
    }

    [Fact]
    public async Task The_run_page_filters_skipped_and_rejected_rows_and_downloads_them_as_csv()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportrows");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey, shared: true));
        await SeedSegmentsAsync(kit, 2);
        var exportId = await CreateExportAsync(kit, "rows", connectionId, MailchimpOptions.NewsletterListId);
        await ExecuteAsync(kit, $"""
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, started_at, finished_at, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries)
                VALUES ({exportId}, 'SucceededWithRejections', 'manual', false, false, 'x', now(), now(), now(), false, 'Done', 3, 3, 3, 1, 0, 0, 1, 1, 0, 0);
            INSERT INTO export_run_rows (run_id, email, rejected, code, reason)
                SELECT id, 'gone@example.com', false, 'unsubscribed', 'unsubscribed at the platform' FROM export_runs;
            INSERT INTO export_run_rows (run_id, email, rejected, code, reason)
                SELECT id, 'bad@example.com', true, 'invalid_email', '=looks like a formula' FROM export_runs;
            """);
        var runId = await ScalarAsync(kit, "SELECT id FROM export_runs");
        using var viewer = await kit.App.SignedInAsync(Roles.Viewer);

        var (_, all) = await viewer.GetAsync($"/Data/Exports/Run/{runId}");
        Assert.Contains("gone@example.com", all, StringComparison.Ordinal);
        Assert.Contains("bad@example.com", all, StringComparison.Ordinal);
        var (_, rejected) = await viewer.GetAsync($"/Data/Exports/Run/{runId}?kind=rejected");
        Assert.DoesNotContain("gone@example.com", rejected, StringComparison.Ordinal);
        Assert.Contains("bad@example.com", rejected, StringComparison.Ordinal);
        var (_, byCode) = await viewer.GetAsync($"/Data/Exports/Run/{runId}?code=unsubscribed");
        Assert.Contains("gone@example.com", byCode, StringComparison.Ordinal);
        Assert.DoesNotContain("bad@example.com", byCode, StringComparison.Ordinal);

        var (status, csv) = await viewer.GetAsync($"/Data/Exports/Run/{runId}?handler=Csv&kind=rejected");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("email,outcome,code,reason\n\"bad@example.com\",rejected,\"invalid_email\",\"'=looks like a formula\"\n", csv.Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
