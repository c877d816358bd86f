using System.Net;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Exports.Pages.ExportPages;

namespace SegmentExport.Tests.Exports.Pages;

public sealed class ExportRoleAndActionTests(PostgresCluster postgres)
{
    [Fact]
    public async Task A_viewer_sees_the_export_pages_but_every_change_is_refused()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportviewer");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey, shared: true));
        await SeedSegmentsAsync(kit, 4);
        var exportId = await CreateExportAsync(kit, "viewed", connectionId, MailchimpOptions.NewsletterListId);
        await kit.ExecuteAsync($"INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, cancel_requested, phase, members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries) VALUES ({exportId}, 'Queued', 'manual', false, false, 'x', now(), false, 'Upsert', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)");
        var runId = await ScalarAsync(kit, "SELECT id FROM export_runs");
        using var viewer = await kit.App.SignedInAsync(Roles.Viewer);

        foreach (var path in new[] { "/Data/Exports", $"/Data/Exports/Details/{exportId}", $"/Data/Exports/Run/{runId}" })
        {
            var (status, html) = await viewer.GetAsync(path);
            Assert.True(status == HttpStatusCode.OK, $"{path} answered {(int)status}");
            Assert.Contains("viewed", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Run now</button>", html, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/Data/Exports/Edit")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/Data/Exports/Delete/{exportId}")).Status);
        var posts = new[]
        {
            "/Data/Exports/Edit", $"/Data/Exports/Edit/{exportId}", $"/Data/Exports/Delete/{exportId}",
            $"/Data/Exports/Details/{exportId}?handler=Run&mode=run", $"/Data/Exports/Details/{exportId}?handler=Duplicate",
            $"/Data/Exports/Details/{exportId}?handler=Enable&enabled=false", $"/Data/Exports?handler=Enable&id={exportId}&enabled=false",
            $"/Data/Exports/Run/{runId}?handler=Cancel",
        };
        foreach (var action in posts)
        {
            using var response = await PostAsync(viewer, "/Data/Exports", action, [new("Input.Name", "changed")]);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"POST {action} answered {(int)response.StatusCode}");
        }

        Assert.Equal("1", await ScalarAsync(kit, "SELECT count(*) FROM exports WHERE enabled AND name = 'viewed'"));
        Assert.Equal("Queued", await ScalarAsync(kit, "SELECT status FROM export_runs"));
    }

    [Fact]
    public async Task Duplicate_disable_and_delete_work_and_a_detached_export_says_why_and_cannot_run()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportactions");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey, shared: true));
        await SeedSegmentsAsync(kit, 4);
        var exportId = await CreateExportAsync(kit, "weekly", connectionId, MailchimpOptions.NewsletterListId);
        using var contributor = await kit.App.SignedInAsync(Roles.Contributor);
        var details = $"/Data/Exports/Details/{exportId}";

        using var duplicated = await PostAsync(contributor, details, details + "?handler=Duplicate", []);
        var copyId = IdFrom(duplicated, "Details");
        Assert.NotEqual(exportId, copyId);
        Assert.Equal("weekly (copy)|False|1", await ScalarAsync(kit, $"SELECT name || '|' || CASE WHEN enabled THEN 'True' ELSE 'False' END || '|' || (SELECT count(*) FROM export_segments WHERE export_id = {copyId}) FROM exports WHERE id = {copyId}"));

        using var disabled = await PostAsync(contributor, details, details + "?handler=Enable&enabled=false", []);
        Assert.Equal(HttpStatusCode.Redirect, disabled.StatusCode);
        Assert.Equal("False", await ScalarAsync(kit, $"SELECT enabled FROM exports WHERE id = {exportId}"));
        var (_, list) = await contributor.GetAsync("/Data/Exports");
        Assert.Contains("Disabled", Browser.Text(list), StringComparison.Ordinal);

        var (confirmStatus, confirm) = await contributor.GetAsync($"/Data/Exports/Delete/{copyId}");
        Assert.Equal(HttpStatusCode.OK, confirmStatus);
        Assert.Contains("Delete “weekly (copy)”?", Browser.Text(confirm), StringComparison.Ordinal);
        using var deleted = await PostAsync(contributor, $"/Data/Exports/Delete/{copyId}", $"/Data/Exports/Delete/{copyId}", []);
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal("0", await ScalarAsync(kit, $"SELECT count(*) FROM exports WHERE id = {copyId}"));

        await kit.ExecuteAsync($"UPDATE connections SET removed_at = now() WHERE id = {connectionId}");
        var (_, detachedList) = await contributor.GetAsync("/Data/Exports");
        Assert.Contains("Detached: the connection “Newsletter” was removed", Browser.Text(detachedList), StringComparison.Ordinal);
        using var run = await PostAsync(contributor, details, details + "?handler=Run&mode=run", []);
        Assert.Equal(HttpStatusCode.Redirect, run.StatusCode);
        Assert.Equal("0", await ScalarAsync(kit, "SELECT count(*) FROM export_runs"));
    }
}
