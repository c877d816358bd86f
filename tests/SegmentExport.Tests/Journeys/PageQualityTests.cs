using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Tests.Journeys;

/// <summary>
/// Every page, empty and with data, at 1280 px and on a 390 px phone (in a browser in India's time zone): a title,
/// exactly one h1, a label on every input, no sideways scrolling of the page or of a list, one primary button, and
/// times in the browser's zone (<see cref="JourneyPage.QualityProblemsAsync"/>). Screenshots of each page on the phone,
/// and at 1280 px of any page that falls short.
/// </summary>
[Collection(Journeys.Name)]
public sealed class PageQualityTests(PostgresCluster postgres, JourneyBrowser browser)
{
    private const string Journey = "6-every-page";

    [Fact]
    public async Task Every_page_has_a_title_one_h1_labelled_inputs_and_fits_1280_px_and_a_390_px_phone()
    {
        await using var app = JourneyApp.Start(postgres, "pagequality");
        var wide = await app.OpenAsync(browser, Journey, "1280", timeZone: "Asia/Kolkata");
        var phone = await app.OpenAsync(browser, Journey, "390", timeZone: "Asia/Kolkata", width: 390, height: 844);
        JourneyPage[] both = [wide, phone];
        var problems = new List<string>();
        var visited = 0;

        // Both windows open the page side by side.
        Task VisitAsync(string shot, string path, int status = 200) => Task.WhenAll(both.Select(async page =>
        {
            await page.StepAsync($"Open {path}", async () =>
            {
                var response = await page.Page.GotoAsync(path);
                Assert.True(response?.Status == status, $"{path} answered {response?.Status}, not {status}");
            });
            await CheckAsync(page, shot, path);
        }));

        async Task CheckAsync(JourneyPage page, string shot, string where)
        {
            var found = await page.QualityProblemsAsync();
            lock (problems)
            {
                visited++;
                problems.AddRange(found.Select(p => $"{page.Who} px, {where}: {p}"));
            }

            // Every page on the phone; at 1280 px (the other journeys' width) only a page that falls short.
            if (page == phone || found.Count > 0)
            {
                await page.ShotAsync(shot);
            }
        }

        // Before anyone has an account, then signed out.
        await VisitAsync("setup", "/Setup");
        await app.Users.CreateUserAsync("ada@example.com", Roles.Administrator);
        await VisitAsync("sign-in", "/Account/Login");
        foreach (var page in both)
        {
            await page.SignInAsync("ada@example.com", TestApp.Password);
        }

        // An empty install: each list says what to do next.
        foreach (var (shot, path) in new[]
        {
            ("home-empty", "/"), ("profiles-empty", "/Data/Profiles"), ("imports-empty", "/Data/Profiles/Imports"), ("segments-empty", "/Data/Segments"),
            ("exports-empty", "/Data/Exports"), ("connections-empty", "/Data/Connections"), ("admin-connections-empty", "/Admin/Connections"),
            ("tokens-empty", "/Account/ApiTokens"), ("export-form-empty", "/Data/Exports/Edit"),
        })
        {
            await VisitAsync(shot, path);
        }

        // Data: demo profiles and segments, a connection, an export with a run, an uploaded file, a token and a second user.
        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            await new DemoSeeder(scope.ServiceProvider.GetRequiredService<IServiceScopeFactory>(), Options.Create(new DemoOptions { SeedProfiles = 150 }),
                TimeProvider.System, NullLogger<DemoSeeder>.Instance).StartAsync(JourneyApp.Ct);
        }

        var connection = await JourneySetup.ConnectSandboxMailchimpAsync(app, wide, "Newsletter (Mailchimp)");
        await VisitAsync("exports-first", "/Data/Exports");
        var export = await JourneySetup.CreateExportAsync(app, connection, "VIP customers to the Mailchimp newsletter list", "VIP customers", "High value, opted in");
        var run = await JourneySetup.RunNowAsync(wide, export);
        await wide.GotoAsync("/Data/Profiles/Import");
        await wide.StepAsync("Choose a CSV file", () => wide.Page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload
        {
            Name = "customers-with-a-rather-long-file-name-2026-11.csv",
            MimeType = "text/csv",
            Buffer = "email,first_name,country\nzoe@example.com,Zoe,NO\nyan@example.com,Yan,SE\n"u8.ToArray(),
        }));
        await wide.PressAsync("Upload and map columns");
        await wide.AtAsync("/Data/Profiles/Import/Map/\\d+$");
        var import = wide.Page.Url.Split('/')[^1];
        await wide.GotoAsync("/Account/ApiTokens");
        await wide.FillAsync("Name", "nightly sync", exact: true);
        await wide.PressAsync("Create token");
        await wide.SeeAsync("Copy your new token");
        var user = (await app.Users.CreateUserAsync("carl.with.a.long.address@example.com", Roles.Contributor)).Id;
        var segment = await app.ScalarAsync<long>("SELECT id FROM segments WHERE name = 'VIP customers'");
        var profile = await app.ScalarAsync<long>("SELECT min(id) FROM profiles");

        foreach (var (shot, path) in new[]
        {
            ("home", "/"), ("profiles", "/Data/Profiles"), ("profile", $"/Data/Profiles/Details/{profile}"), ("import", "/Data/Profiles/Import"),
            ("imports", "/Data/Profiles/Imports"), ("import-details", $"/Data/Profiles/Imports/Details/{import}"), ("import-map", $"/Data/Profiles/Import/Map/{import}"),
            ("segments", "/Data/Segments"), ("segment", $"/Data/Segments/Details/{segment}"), ("segment-new", "/Data/Segments/Edit"),
            ("segment-edit", $"/Data/Segments/Edit/{segment}"), ("segment-delete", $"/Data/Segments/Delete/{segment}"), ("connections", "/Data/Connections"),
            ("exports", "/Data/Exports"), ("export-new", "/Data/Exports/Edit"), ("export-edit", $"/Data/Exports/Edit/{export}"),
            ("export", $"/Data/Exports/Details/{export}"), ("export-delete", $"/Data/Exports/Delete/{export}"), ("run", $"/Data/Exports/Run/{run}"),
            ("admin-connections", "/Admin/Connections"), ("connection-add", "/Admin/Connections/Add"),
            ("connection-add-mailchimp", "/Admin/Connections/Add?platform=mailchimp"), ("connection-add-activecampaign", "/Admin/Connections/Add?platform=activecampaign"),
            ("connection-add-constantcontact", "/Admin/Connections/Add?platform=constantcontact"), ("connection-add-campaignmonitor", "/Admin/Connections/Add?platform=campaignmonitor"),
            ("connection", $"/Admin/Connections/Details/{connection}"), ("connection-edit", $"/Admin/Connections/Edit/{connection}"),
            ("connection-remove", $"/Admin/Connections/Remove/{connection}"), ("users", "/Admin/Users"), ("user-add", "/Admin/Users/Create"),
            ("user", $"/Admin/Users/Edit/{user}"), ("system", "/Admin/System"), ("tokens", "/Account/ApiTokens"), ("sign-out", "/Account/Logout"),
            ("error", "/Error"),
        })
        {
            await VisitAsync(shot, path);
        }

        await VisitAsync("not-found", "/Data/Exports/Details/987654", 404);
        await VisitAsync("not-allowed", "/Account/AccessDenied", 403);

        // Forms with errors: each says what to fix next to its field, and the page still passes.
        foreach (var page in both)
        {
            await page.GotoAsync("/Data/Exports/Edit");
            await page.PressAsync("Save");
            await page.SeeAsync(page.Page.Locator("#export-name-error"), "name");
            await CheckAsync(page, "export-form-errors", "/Data/Exports/Edit (with errors)");
            await page.GotoAsync("/Admin/Users/Create");
            await page.PressAsync("Add user");
            await page.SeeAsync(page.Page.Locator("[data-valmsg-for='Input.Email']"), "email");
            await CheckAsync(page, "user-add-errors", "/Admin/Users/Create (with errors)");
        }

        // From the keyboard: the first Tab reaches "Skip to content", and every stop after it, to the end of the page, shows where the focus is.
        await wide.GotoAsync("/Data/Exports");
        await wide.StepAsync("Tab through the exports page", async () =>
        {
            await wide.Page.Keyboard.PressAsync("Tab");
            Assert.Equal("Skip to content", await wide.Page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()"));
            for (var stop = 0; stop < 40; stop++)
            {
                var focus = await wide.Page.EvaluateAsync<string>("""
                    () => {
                        const el = document.activeElement;
                        if (el === document.body) { return 'end'; }
                        const style = getComputedStyle(el);
                        const box = el.getBoundingClientRect();
                        const shown = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
                        return shown && box.width > 0 && box.height > 0 ? '' : (el.tagName + ' “' + el.textContent.trim() + '” has no visible focus');
                    }
                    """);
                if (focus == "end")
                {
                    Assert.True(stop > 10, $"the keyboard reached only {stop} controls on the exports page");
                    break;
                }

                if (focus.Length > 0)
                {
                    problems.Add($"1280 px, /Data/Exports, keyboard: {focus}");
                }

                await wide.Page.Keyboard.PressAsync("Tab");
            }
        });

        Assert.True(problems.Count == 0, $"{problems.Count} problems on {visited} pages:\n" + string.Join("\n", problems));
    }
}
