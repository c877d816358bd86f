using System.Net;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Exports.Pages.ExportPages;

namespace SegmentExport.Tests.Exports.Pages;

public sealed class ExportFormTests(PostgresCluster postgres)
{
    [Fact]
    public async Task A_contributor_creates_an_export_through_the_form_saving_runs_nothing_and_run_now_delivers_it()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportform");
        using var admin = await kit.AdminAsync();
        var connectionId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Newsletter", ConnectionsKit.MailchimpKey, shared: true));
        await SeedSegmentsAsync(kit, 30);
        using var contributor = await kit.App.SignedInAsync(Roles.Contributor);

        var (status, form) = await contributor.GetAsync($"/Data/Exports/Edit?connectionId={connectionId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"value=\"{MailchimpOptions.NewsletterListId}\"", form, StringComparison.Ordinal);
        Assert.Contains("Sandbox Newsletter", form, StringComparison.Ordinal);
        Assert.Contains("No Constant Contact connection is available to you", Browser.Text(form), StringComparison.Ordinal);

        var fields = new List<KeyValuePair<string, string>>
        {
            new("Input.Name", "Newsletter from the form"),
            new("Input.ConnectionId", connectionId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Input.ListId", MailchimpOptions.NewsletterListId),
            new("Input.Fields[0].Source", "first_name"),
            new("Input.Fields[0].Target", "first_name"),
            new("Input.SegmentIds", "1"),
            new("Input.SegmentIds", "2"),
            new("Input.Leavers", "Nothing"),
            new("Input.Schedule", "OnDemand"),
            new("Input.Enabled", "true"),
        };
        using var missingSegments = await PostAsync(contributor, "/Data/Exports/Edit", "/Data/Exports/Edit", fields.Where(f => f.Key != "Input.SegmentIds"));
        Assert.Equal(HttpStatusCode.OK, missingSegments.StatusCode);
        Assert.Contains("Choose at least one segment to export.", Browser.Text(await missingSegments.Content.ReadAsStringAsync(ConnectionsKit.Ct)), StringComparison.Ordinal);

        using var saved = await PostAsync(contributor, "/Data/Exports/Edit", "/Data/Exports/Edit", fields);
        var exportId = IdFrom(saved, "Details");
        Assert.Equal("2", await ScalarAsync(kit, $"SELECT count(*) FROM export_segments WHERE export_id = {exportId}"));
        Assert.Equal("Sandbox Newsletter", await ScalarAsync(kit, $"SELECT list_name FROM exports WHERE id = {exportId}"));
        Assert.Equal("0", await ScalarAsync(kit, "SELECT count(*) FROM export_runs"));

        var details = $"/Data/Exports/Details/{exportId}";
        var (_, page) = await contributor.GetAsync(details);
        Assert.Contains("30 profiles in the chosen segments", Browser.Text(page), StringComparison.Ordinal);
        using var run = await PostAsync(contributor, details, details + "?handler=Run&mode=run", []);
        var runId = IdFrom(run, "Run");
        await Eventually.HoldsAsync(async () => await ScalarAsync(kit, $"SELECT status FROM export_runs WHERE id = {runId}") == "Succeeded", "the run succeeds");
        Assert.Equal("Name8", kit.Sandbox.Mailchimp.InspectContact(MailchimpOptions.NewsletterListId, "p8@example.com")?.Fields.GetValueOrDefault("FNAME"));

        var (runStatus, runPage) = await contributor.GetAsync($"/Data/Exports/Run/{runId}");
        Assert.Equal(HttpStatusCode.OK, runStatus);
        var text = Browser.Text(runPage);
        Assert.Contains("Succeeded", text, StringComparison.Ordinal);
        Assert.Contains("30 of 30 processed", text, StringComparison.Ordinal);
        Assert.Contains("Members 30", text, StringComparison.Ordinal);

        var (_, list) = await contributor.GetAsync("/Data/Exports?q=from the form");
        Assert.Contains("30 sent of 30", Browser.Text(list), StringComparison.Ordinal);
        var (_, progress) = await contributor.GetAsync($"/Data/Exports/Run/{runId}?handler=Progress");
        Assert.Contains("\"percent\":100", progress, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_contributor_cannot_save_or_run_an_export_on_a_connection_not_shared_with_them()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "exportunshared");
        using var admin = await kit.AdminAsync();
        var privateId = ConnectionsKit.IdFrom(await ConnectionsKit.AddWithKeyAsync(admin, "mailchimp", "Private", ConnectionsKit.MailchimpKey));
        await SeedSegmentsAsync(kit, 4);
        var exportId = await CreateExportAsync(kit, "admin only", privateId, MailchimpOptions.NewsletterListId);
        using var contributor = await kit.App.SignedInAsync(Roles.Contributor);

        var (_, form) = await contributor.GetAsync("/Data/Exports/Edit");
        Assert.DoesNotContain("Private", Browser.Text(form), StringComparison.Ordinal);

        using var crafted = await PostAsync(contributor, "/Data/Exports/Edit", "/Data/Exports/Edit",
        [
            new("Input.Name", "sneaky"), new("Input.ConnectionId", privateId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Input.ListId", MailchimpOptions.NewsletterListId), new("Input.SegmentIds", "1"), new("Input.Schedule", "OnDemand"),
        ]);
        Assert.Equal(HttpStatusCode.OK, crafted.StatusCode);
        Assert.Contains("You may not use this connection", Browser.Text(await crafted.Content.ReadAsStringAsync(ConnectionsKit.Ct)), StringComparison.Ordinal);
        Assert.Equal("0", await ScalarAsync(kit, "SELECT count(*) FROM exports WHERE name = 'sneaky'"));

        var details = $"/Data/Exports/Details/{exportId}";
        using var run = await PostAsync(contributor, details, details + "?handler=Run&mode=run", []);
        Assert.Equal(HttpStatusCode.Redirect, run.StatusCode);
        Assert.Equal("0", await ScalarAsync(kit, "SELECT count(*) FROM export_runs"));
        var (_, page) = await contributor.GetAsync(details);
        Assert.Contains("is not shared with you", Browser.Text(page), StringComparison.Ordinal);
    }
}
