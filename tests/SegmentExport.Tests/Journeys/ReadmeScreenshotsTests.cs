using Microsoft.Playwright;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Journeys;

/// <summary>
/// Opt-in (<c>README_SCREENSHOTS=1</c>): takes the README's pictures, the exports page and a run in progress, into
/// <c>docs/screenshots</c>. The sandbox answers slowly here (400 ms a request, 50 contacts a batch) so the run is caught
/// half way.
/// </summary>
[Collection(Journeys.Name)]
public sealed class ReadmeScreenshotsTests(PostgresCluster postgres, JourneyBrowser browser)
{
    [Fact]
    public async Task Take_the_readme_screenshots()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("README_SCREENSHOTS") == "1", "Set README_SCREENSHOTS=1 to take the README's screenshots.");
        await using var app = JourneyApp.Start(postgres, "readme", new Dictionary<string, string?>
        {
            ["Demo:SeedProfiles"] = "3000",
            ["Destinations:Mailchimp:MaxBatchContacts"] = "50",
            ["Destinations:Mailchimp:MaxConcurrentRequests"] = "1",
            ["Sandbox:Mailchimp:Faults:Latency"] = "00:00:00.400",
        });
        await app.Users.CreateUserAsync("ada@example.com", Roles.Administrator);
        var admin = await app.OpenAsync(browser, "readme", "admin", timeZone: "Europe/Oslo", height: 800);
        await admin.SignInAsync("ada@example.com", TestApp.Password);
        var connection = await JourneySetup.ConnectSandboxMailchimpAsync(app, admin, "Newsletter (Mailchimp)");
        var nordic = await JourneySetup.CreateExportAsync(app, connection, "Nordic recent buyers → newsletter", "Nordic recent buyers");
        var vip = await JourneySetup.CreateExportAsync(app, connection, "VIP customers → newsletter", "VIP customers");
        await JourneySetup.CreateExportAsync(app, connection, "High value, opted in → newsletter", "High value, opted in");
        await JourneySetup.RunNowAsync(admin, nordic);

        var folder = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(JourneyPage.ScreenshotFolder("readme"))!)!, "..", "..", "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await admin.GotoAsync($"/Data/Exports/Details/{vip}");
        await admin.PressAsync("Run now");
        await admin.StepAsync("The run gets going", () => admin.Page.WaitForFunctionAsync(
            "() => { const n = Number(document.getElementById('run-progress').getAttribute('aria-valuenow')); return n >= 30 && n <= 80; }",
            null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 100 }));
        await admin.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "run-progress.png") });
        await admin.StepAsync("The run finishes", () =>
            Assertions.Expect(admin.Page.Locator("#run-status")).ToContainTextAsync("Succeeded", new() { Timeout = 60_000 }));

        await admin.GotoAsync("/Data/Exports");
        await admin.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "exports.png") });
    }
}
