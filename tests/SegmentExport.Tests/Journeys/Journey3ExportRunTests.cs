using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Segments;

namespace SegmentExport.Tests.Journeys;

/// <summary>
/// Journey 3: a Contributor creates an export (list picked from the platform, email and names mapped, two segments),
/// saves it (nothing runs), presses Run now, watches the progress bar reach 100%, and sees the run's counts and its
/// rejected rows with reasons; the (sandbox) platform then holds exactly the expected contacts.
/// </summary>
[Collection(Journeys.Name)]
public sealed class Journey3ExportRunTests(PostgresCluster postgres, JourneyBrowser browser)
{
    private const string Journey = "3-export-run";
    private const string ListId = MailchimpOptions.NewsletterListId;

    [Fact]
    public async Task Contributor_creates_an_export_runs_it_and_the_platform_holds_the_expected_contacts()
    {
        // A first run as the run command makes it: demo profiles and the three demo segments.
        await using var app = JourneyApp.Start(postgres, "journey3", new Dictionary<string, string?> { ["Demo:SeedProfiles"] = "300" });
        Assert.Equal(["High value, opted in", "Nordic recent buyers", "VIP customers"], await app.StringsAsync("SELECT name FROM segments ORDER BY name"));
        // Rows a platform refuses or skips: two undeliverable emails and one person who unsubscribed there.
        await app.ExecuteAsync("""
            INSERT INTO profiles (external_id, email, first_name, last_name, attributes, created_at, updated_at) VALUES
              ('j3-bad-1', 'no-at-sign.example.com', 'Nora', 'Noat', '{"tags": ["vip"]}', now(), now()),
              ('j3-bad-2', 'broken@localhost', 'Bram', 'Broken', '{"tags": ["vip"]}', now(), now()),
              ('j3-unsub', 'unsubscribed@example.com', 'Una', 'Subscribed', '{"tags": ["vip"]}', now(), now());
            """);
        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SegmentRefresher>().RefreshAllAsync(JourneyApp.Ct);
        }

        await app.Users.CreateUserAsync("ada@example.com", Roles.Administrator);
        await app.Users.CreateUserAsync("carl@example.com", Roles.Contributor);
        var admin = await app.OpenAsync(browser, Journey, "admin");
        await admin.SignInAsync("ada@example.com", TestApp.Password);
        await ShareSandboxMailchimpAsync(admin);

        var contributor = await app.OpenAsync(browser, Journey, "contributor", timeZone: "America/New_York");
        await contributor.SignInAsync("carl@example.com", TestApp.Password);
        await contributor.GotoAsync("/Data/Exports");
        await contributor.SeeAsync("No exports yet");
        await contributor.ShotAsync("exports-empty");
        await contributor.FollowAsync("Add the first export");

        var page = contributor.Page;
        await contributor.FillAsync("Name", "VIPs and high value to the newsletter", exact: true);
        await contributor.ReloadingStepAsync("Choose the connection (the form reloads with its lists)", () =>
            page.GetByLabel("Connection", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Newsletter (Mailchimp) (sandbox)" }));
        await contributor.ReloadingStepAsync("Pick the list the platform offers", () =>
            page.Locator("#export-list").SelectOptionAsync(ListId));
        await contributor.StepAsync("Map the first name", async () =>
        {
            await page.Locator("#field-source-0").SelectOptionAsync("first_name");
            await page.Locator("#field-target-0").SelectOptionAsync("FNAME");
        });
        await contributor.ReloadingStepAsync("Add a second field", () =>
            page.GetByRole(AriaRole.Button, new() { Name = "Add attribute" }).ClickAsync());
        await contributor.StepAsync("Map the last name", async () =>
        {
            await page.Locator("#field-source-1").SelectOptionAsync("last_name");
            await page.Locator("#field-target-1").SelectOptionAsync("LNAME");
        });
        await contributor.CheckAsync("On demand only (Run now)");
        await contributor.StepAsync("Choose two segments", async () =>
        {
            await page.GetByLabel("VIP customers").CheckAsync();
            await page.GetByLabel("High value, opted in").CheckAsync();
        });
        await contributor.ShotAsync("export-form");
        await contributor.PressAsync("Save");
        await contributor.AtAsync("/Data/Exports/Details/\\d+$");
        await contributor.SeeAsync("This export has not run yet.");
        await contributor.ShotAsync("export-saved");

        // Saving ran nothing: no run, and the platform's list is as it was.
        var mailchimp = app.Get<MailchimpEmulator>();
        var before = Contacts(mailchimp);
        Assert.Equal(0L, await app.ScalarAsync<long>("SELECT count(*) FROM export_runs"));

        await contributor.PressAsync("Run now");
        await contributor.AtAsync("/Data/Exports/Run/\\d+$");
        await contributor.StepAsync("The progress bar reaches 100%", () =>
            Assertions.Expect(page.Locator("#run-progress")).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 60_000 }));
        await contributor.SeeAsync(page.Locator("#run-status"), "Succeeded with rejections");
        await contributor.ShotAsync("run-finished");
        // Times are shown in the person's own time zone (this browser is in New York).
        await contributor.SeeAsync(page.Locator("main time").First, "EST");

        // What the platform should now hold: every deliverable member, once; the refused and the unsubscribed are reported.
        var members = await app.StringsAsync("""
            SELECT DISTINCT p.email_normalized FROM profiles p JOIN segment_members m ON m.profile_id = p.id JOIN segments s ON s.id = m.segment_id
            WHERE s.name IN ('VIP customers', 'High value, opted in') AND p.email_normalized <> ''
            """);
        var deliverable = members.Where(EmailRules.IsDeliverable).ToHashSet();
        var refused = members.Where(e => !EmailRules.IsDeliverable(e)).ToList();
        Assert.Contains("no-at-sign.example.com", refused);
        Assert.Contains("broken@localhost", refused);

        await contributor.SeeAsync(page.Locator("[data-count=members]"), members.Count.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")));
        await contributor.SeeAsync(page.Locator("[data-count=rejected]"), refused.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await contributor.SeeAsync(page.Locator("[data-count=skipped]"), "1");
        foreach (var email in refused)
        {
            await contributor.SeeAsync(page.Locator("tr", new() { HasText = email }), "looks fake or invalid");
        }

        await contributor.SeeAsync(page.Locator("tr", new() { HasText = "unsubscribed@example.com" }), "Skipped");

        var after = Contacts(mailchimp);
        var added = after.Keys.Except(before.Keys).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(deliverable.Where(e => !before.ContainsKey(e)).Order(StringComparer.Ordinal).ToList(), added);
        Assert.Equal("unsubscribed", after["unsubscribed@example.com"].Status);
        foreach (var email in added)
        {
            Assert.Equal("subscribed", after[email].Status);
        }

        var sample = await app.StringsAsync($"SELECT email_normalized || '|' || first_name || '|' || last_name FROM profiles WHERE email_normalized = '{added[0]}'");
        var parts = sample[0].Split('|');
        Assert.Equal(parts[1], after[added[0]].Fields["FNAME"]);
        Assert.Equal(parts[2], after[added[0]].Fields["LNAME"]);
    }

    /// <summary>The administrator connects the sandbox Mailchimp account with its API key and shares it with Contributors.</summary>
    private static async Task ShareSandboxMailchimpAsync(JourneyPage admin)
    {
        await admin.GotoAsync("/Admin/Connections/Add?platform=mailchimp");
        await admin.FillAsync("Display name", "Newsletter (Mailchimp)");
        await admin.CheckAsync("Administrators and Contributors");
        await admin.StepAsync("Agree to the compliance statement", () => admin.Page.Locator("#consent").CheckAsync());
        await admin.CheckAsync("Use an API key");
        await admin.PressAsync("7. Save");
        await admin.SeeAsync("Connected 'Newsletter (Mailchimp)' to Mailchimp");
    }

    private static Dictionary<string, InspectedContact> Contacts(MailchimpEmulator mailchimp)
    {
        var contacts = new Dictionary<string, InspectedContact>(StringComparer.Ordinal);
        for (var offset = 0; ; offset += 500)
        {
            var page = mailchimp.InspectContacts(ListId, offset, 500)!;
            foreach (var contact in page.Contacts)
            {
                contacts[contact.Email.ToLowerInvariant()] = contact;
            }

            if (offset + 500 >= page.Total)
            {
                return contacts;
            }
        }
    }
}
