using System.Net;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Exports.Pages.ExportPages;

namespace SegmentExport.Tests.Exports.Pages;

public sealed class ExportListTests(PostgresCluster postgres)
{
    [Fact]
    public async Task The_list_shows_each_exports_next_run_sorts_by_column_and_offers_changes_only_where_the_user_may_make_them()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportlist");
        using var admin = await kit.AdminAsync();
        var shared = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Shared MC", ConnectionsKit.MailchimpKey, shared: true));
        var unshared = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "campaignmonitor", "Private CM", ConnectionsKit.CampaignMonitorKey));
        await SeedSegmentsAsync(kit, 4);
        var daily = await CreateExportAsync(kit, "b daily", shared, MailchimpOptions.NewsletterListId);
        var hourly = await CreateExportAsync(kit, "c hourly", shared, MailchimpOptions.NewsletterListId);
        var onDemand = await CreateExportAsync(kit, "a on demand", unshared, "list");
        // The daily export runs half a day from now: at a fixed hour, its next run and the hourly one's coincide for an
        // hour a day (the test once failed between 02:00 and 03:00 UTC with the daily export at 03:00).
        var dailyHour = (DateTime.UtcNow.Hour + 12) % 24;
        await ExecuteAsync(kit, $"""
            UPDATE exports SET schedule = 'Cron', cron_expression = '0 0 {dailyHour} * * ?', time_zone = 'UTC' WHERE id = {daily};
            UPDATE exports SET schedule = 'Cron', cron_expression = '0 0 * * * ?', time_zone = 'UTC' WHERE id = {hourly};
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, finished_at, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries)
            VALUES ({onDemand}, 'Succeeded', 'manual', false, false, 'test', now() - interval '1 day', now() - interval '1 day', false, 'Done', 2, 2, 2, 2, 0, 0, 0, 0, 0, 0);
            """);

        using var contributor = await kit.App.SignedInAsync(Roles.Contributor);
        var (status, html) = await contributor.GetAsync("/Data/Exports");
        Assert.Equal(HttpStatusCode.OK, status);
        var text = Browser.Text(html);
        Assert.Contains("Next run", text, StringComparison.Ordinal);
        // The hourly export's next run is the top of the coming hour (or the one after, should the hour turn meanwhile).
        var nextHour = DateTimeOffset.UtcNow.AddHours(1);
        Assert.True(text.Contains($"{nextHour:yyyy-MM-dd HH}:00 UTC", StringComparison.Ordinal) || text.Contains($"{nextHour.AddHours(1):yyyy-MM-dd HH}:00 UTC", StringComparison.Ordinal),
            "the hourly export shows the top of the next hour as its next run");
        Assert.Contains("On demand", text, StringComparison.Ordinal);
        // Name order by default; the export on a connection not shared with a contributor is view-only for them.
        Assert.True(text.IndexOf("a on demand", StringComparison.Ordinal) < text.IndexOf("b daily", StringComparison.Ordinal));
        Assert.Contains($"/Data/Exports/Edit/{daily}", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"/Data/Exports/Edit/{onDemand}", html, StringComparison.Ordinal);
        Assert.Contains("View only: its connection is not shared with you", text, StringComparison.Ordinal);

        var (_, byNext) = await contributor.GetAsync("/Data/Exports?sort=NextRun");
        var next = Browser.Text(byNext);
        Assert.True(next.IndexOf("c hourly", StringComparison.Ordinal) < next.IndexOf("b daily", StringComparison.Ordinal), "the hourly export runs sooner");
        Assert.True(next.IndexOf("b daily", StringComparison.Ordinal) < next.IndexOf("a on demand", StringComparison.Ordinal), "exports without a next run come last");

        var (_, byLastDesc) = await contributor.GetAsync("/Data/Exports?sort=LastRun&desc=true");
        var last = Browser.Text(byLastDesc);
        Assert.True(last.IndexOf("a on demand", StringComparison.Ordinal) < last.IndexOf("b daily", StringComparison.Ordinal), "the only export that ran comes first");

        var (bogus, _) = await contributor.GetAsync("/Data/Exports?sort=bogus&page=-4");
        Assert.Equal(HttpStatusCode.OK, bogus);

        // A crafted disable of the export on the unshared connection is refused.
        using var crafted = await PostAsync(contributor, "/Data/Exports", $"/Data/Exports?handler=Enable&id={onDemand}&enabled=false", []);
        Assert.Equal(HttpStatusCode.Redirect, crafted.StatusCode);
        Assert.Equal("True", await ScalarAsync(kit, $"SELECT enabled FROM exports WHERE id = {onDemand}"));
    }

    [Fact]
    public async Task The_home_page_shows_running_exports_with_progress_recent_failures_and_connections_that_need_attention()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exporthome");
        using var admin = await kit.AdminAsync();
        var connection = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter MC", ConnectionsKit.MailchimpKey, shared: true));
        await SeedSegmentsAsync(kit, 4);
        var running = await CreateExportAsync(kit, "weekly digest", connection, MailchimpOptions.NewsletterListId);
        var failing = await CreateExportAsync(kit, "win-back", connection, MailchimpOptions.NewsletterListId);
        await ExecuteAsync(kit, $"""
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, started_at, finished_at, error, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries)
            VALUES ({running}, 'Running', 'manual', false, false, 'test', now(), now() - interval '10 seconds', null, null, false, 'Upsert', 1000, 1000, 400, 400, 0, 0, 0, 0, 0, 0),
                   ({failing}, 'Failed', 'schedule', false, false, 'scheduler', now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour',
                    'This export would send 30 profiles, over the cap of 25.', false, 'Upsert', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                   ({failing}, 'Failed', 'schedule', false, false, 'scheduler', now() - interval '30 days', null, now() - interval '30 days', 'An old failure.', false, 'Upsert', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            UPDATE connections SET health = 'NeedsReauthentication', health_reason = 'revoked' WHERE id = {connection};
            """);

        using var viewer = await kit.App.SignedInAsync(Roles.Viewer);
        var (status, html) = await viewer.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, status);
        var text = Browser.Text(html);
        Assert.Contains("Running exports", text, StringComparison.Ordinal);
        Assert.Contains("weekly digest", text, StringComparison.Ordinal);
        Assert.Contains("400 of 1,000 processed", text, StringComparison.Ordinal);
        Assert.Contains("value=\"40\"", html, StringComparison.Ordinal);
        Assert.Contains("over the cap of 25", text, StringComparison.Ordinal);
        Assert.DoesNotContain("An old failure.", text, StringComparison.Ordinal);
        Assert.Contains("A connection needs attention", text, StringComparison.Ordinal);
        Assert.Contains("Newsletter MC", text, StringComparison.Ordinal);
    }
}
