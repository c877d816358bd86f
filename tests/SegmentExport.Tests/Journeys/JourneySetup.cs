using Microsoft.Playwright;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Journeys;

/// <summary>What a journey needs before its own steps, done quickly (the journeys that are about these steps do them in full).</summary>
public static class JourneySetup
{
    /// <summary>The administrator connects the sandbox Mailchimp account with its API key, shared with Contributors; returns its id.</summary>
    public static async Task<long> ConnectSandboxMailchimpAsync(JourneyApp app, JourneyPage admin, string name)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(admin);
        await admin.GotoAsync("/Admin/Connections/Add?platform=mailchimp");
        await admin.FillAsync("Display name", name);
        await admin.CheckAsync("Administrators and Contributors");
        await admin.StepAsync("Agree to the compliance statement", () => admin.Page.Locator("#consent").CheckAsync());
        await admin.CheckAsync("Use an API key");
        await admin.PressAsync("7. Save");
        await admin.SeeAsync($"Connected '{name}' to Mailchimp");
        return await app.ScalarAsync<long>($"SELECT id FROM connections WHERE name = '{name.Replace("'", "''", StringComparison.Ordinal)}' AND removed_at IS NULL");
    }

    /// <summary>An on-demand export of the named segments into the sandbox newsletter list, first name mapped.</summary>
    public static async Task<long> CreateExportAsync(JourneyApp app, long connectionId, string name, params string[] segments)
    {
        ArgumentNullException.ThrowIfNull(app);
        var mapping = new ExportMapping([new FieldMap("first_name", "FNAME")]).ToJson().Replace("'", "''", StringComparison.Ordinal);
        var id = await app.ScalarAsync<long>($"""
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
            VALUES ('{name}', {connectionId}, '{MailchimpOptions.NewsletterListId}', 'Sandbox Newsletter', '{mapping}'::jsonb, '[]', false, 'Nothing', 'OnDemand', true, now(), now())
            RETURNING id
            """);
        var names = string.Join(", ", segments.Select(s => $"'{s.Replace("'", "''", StringComparison.Ordinal)}'"));
        await app.ExecuteAsync($"INSERT INTO export_segments (export_id, segment_id) SELECT {id}, id FROM segments WHERE name IN ({names})");
        return id;
    }

    /// <summary>Presses Run now on the export's page and waits for the run to finish; returns the run's id.</summary>
    public static async Task<long> RunNowAsync(JourneyPage page, long exportId)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync($"/Data/Exports/Details/{exportId}");
        await page.PressAsync("Run now");
        await page.AtAsync("/Data/Exports/Run/\\d+$");
        await page.StepAsync("The run finishes", () =>
            Assertions.Expect(page.Page.Locator("#run-progress")).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 60_000 }));
        await page.SeeAsync(page.Page.Locator("#run-status"), "Succeeded");
        return long.Parse(page.Page.Url.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
