using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Journeys;

/// <summary>Journey 4: a Viewer sees exports and runs but has no buttons that change anything, and a crafted POST is refused.</summary>
[Collection(Journeys.Name)]
public sealed partial class Journey4ViewerTests(PostgresCluster postgres, JourneyBrowser browser)
{
    private const string Journey = "4-viewer";

    [Fact]
    public async Task Viewer_sees_exports_and_runs_without_changing_anything()
    {
        await using var app = JourneyApp.Start(postgres, "journey4", new Dictionary<string, string?> { ["Demo:SeedProfiles"] = "100" });
        await app.Users.CreateUserAsync("ada@example.com", Roles.Administrator);
        await app.Users.CreateUserAsync("vera@example.com", Roles.Viewer);
        var admin = await app.OpenAsync(browser, Journey, "admin");
        await admin.SignInAsync("ada@example.com", TestApp.Password);
        var connection = await JourneySetup.ConnectSandboxMailchimpAsync(app, admin, "Newsletter (Mailchimp)");
        var export = await JourneySetup.CreateExportAsync(app, connection, "VIPs to the newsletter", "VIP customers");
        var run = await JourneySetup.RunNowAsync(admin, export);

        var viewer = await app.OpenAsync(browser, Journey, "viewer");
        await viewer.SignInAsync("vera@example.com", TestApp.Password);
        var pages = new (string Path, string Shows, string Shot)[]
        {
            ("/Data/Exports", "VIPs to the newsletter", "exports"),
            ($"/Data/Exports/Details/{export}", $"#{run}", "export"),
            ($"/Data/Exports/Run/{run}", "Succeeded", "run"),
            ("/Data/Segments", "VIP customers", "segments"),
            ("/Data/Profiles", "Profiles", "profiles"),
            ("/Data/Connections", "Newsletter (Mailchimp)", "connections"),
        };
        foreach (var (path, shows, shot) in pages)
        {
            await viewer.GotoAsync(path);
            await viewer.SeeAsync(viewer.Page.Locator("main"), shows);
            var changing = viewer.Page.Locator("main").GetByRole(AriaRole.Button, new() { NameRegex = ChangingAction() })
                .Or(viewer.Page.Locator("main").GetByRole(AriaRole.Link, new() { NameRegex = ChangingAction() }));
            await viewer.NotSeeAsync(changing, $"button or link that changes something on {path}");
            await viewer.ShotAsync(shot);
        }

        // On a phone-width screen the same pages fit without sideways scrolling.
        var phone = await app.OpenAsync(browser, Journey, "viewer-phone", width: 390, height: 844);
        await phone.SignInAsync("vera@example.com", TestApp.Password);
        foreach (var (path, shows, shot) in pages)
        {
            await phone.GotoAsync(path);
            await phone.SeeAsync(phone.Page.Locator("main"), shows);
            await phone.FitsWidthAsync();
            if (shot is "exports" or "run")
            {
                await phone.ShotAsync(shot);
            }
        }

        // The forms are not there, and posting them anyway is refused: nothing runs, nothing is created.
        var token = await viewer.Page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        foreach (var (path, form) in new (string, Dictionary<string, string>)[]
        {
            ($"/Data/Exports/Details/{export}?handler=Run&mode=run", new()),
            ("/Data/Exports/Edit", new() { ["Input.Name"] = "Sneaky", ["Input.ConnectionId"] = $"{connection}", ["Input.ListId"] = "a1b2c3d4e5" }),
            ($"/Data/Exports/Delete/{export}", new()),
            ($"/Admin/Connections/Remove/{connection}", new()),
        })
        {
            form["__RequestVerificationToken"] = token!;
            var response = await viewer.Page.APIRequest.PostAsync(path, new APIRequestContextOptions { Form = Form(viewer.Page, form), MaxRedirects = 0 });
            Assert.True(response.Status == 403, $"A viewer's crafted POST to {path} answered {response.Status}, not 403: {await response.TextAsync()}");
        }

        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM export_runs"));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM exports"));
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM connections WHERE removed_at IS NULL"));
    }

    private static IFormData Form(IPage page, Dictionary<string, string> values)
    {
        var form = page.Context.APIRequest.CreateFormData();
        foreach (var (key, value) in values)
        {
            form.Set(key, value);
        }

        return form;
    }

    [GeneratedRegex("^(Add|New|Edit|Delete|Remove|Run now|Dry run|Full resync|Cancel run|Duplicate|Enable|Disable|Save|Refresh|Import CSV|Import a|Upload)", RegexOptions.IgnoreCase)]
    private static partial Regex ChangingAction();
}
