using Microsoft.Playwright;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Journeys;

/// <summary>
/// Journey 2: the administrator adds a Mailchimp connection through the (sandbox's) OAuth consent page, shares it with
/// Contributors and tests it; adds an ActiveCampaign connection with hostname and key, where a bad key shows the
/// platform's refusal in a sentence next to the field.
/// </summary>
[Collection(Journeys.Name)]
public sealed class Journey2ConnectionsTests(PostgresCluster postgres, JourneyBrowser browser)
{
    private const string Journey = "2-connections";

    [Fact]
    public async Task Admin_connects_mailchimp_by_oauth_and_activecampaign_by_key()
    {
        await using var app = JourneyApp.Start(postgres, "journey2");
        await app.Users.CreateUserAsync("ada@example.com", Roles.Administrator);
        var admin = await app.OpenAsync(browser, Journey, "admin");
        await admin.SignInAsync("ada@example.com", TestApp.Password);

        await admin.GotoAsync("/Admin/Connections");
        await admin.SeeAsync("No platforms are connected yet");
        await admin.FollowAsync("Add the first connection");
        await admin.FollowAsync("Mailchimp");
        await admin.SeeAsync("Sandbox account.");
        await admin.FillAsync("Display name", "Newsletter (Mailchimp)");
        await admin.CheckAsync("Administrators and Contributors");
        await admin.StepAsync("Agree to the compliance statement", () => admin.Page.Locator("#consent").CheckAsync());
        await admin.CheckAsync("Authenticate with Mailchimp (you will sign in at Mailchimp and come back here)");
        await admin.ShotAsync("mailchimp-wizard");
        await admin.PressAsync("7. Save");

        // The sandbox's consent page, on the app's own address.
        await admin.AtAsync("/sandbox/mailchimp/login/oauth2/authorize");
        await admin.ShotAsync("mailchimp-consent");
        await admin.StepAsync("Allow on the consent page", () => admin.Page.Locator("#allow").ClickAsync());
        await admin.AtAsync("/Admin/Connections/Details/\\d+$");
        await admin.SeeAsync("Connected 'Newsletter (Mailchimp)' to Mailchimp");
        await admin.SeeAsync(admin.Page.Locator("h1 .sandbox-badge"), "Sandbox");
        await admin.PressAsync("Test connection");
        await admin.SeeAsync(admin.Page.Locator("#test-result"), "");
        await admin.ShotAsync("mailchimp-tested");

        // ActiveCampaign: hostname and key (the sandbox's are offered); a wrong key is refused by the platform.
        await admin.GotoAsync("/Admin/Connections/Add?platform=activecampaign");
        await admin.FillAsync("Display name", "Customers (ActiveCampaign)");
        await admin.StepAsync("Agree to the compliance statement", () => admin.Page.Locator("#consent").CheckAsync());
        await admin.StepAsync("The sandbox hostname is offered", () =>
            Assertions.Expect(admin.Page.GetByLabel("REST endpoint hostname")).ToHaveValueAsync("sandbox.activecampaign.localhost"));
        await admin.FillAsync("API key", exact: true, value: "not-the-right-key-0000000000000000000000000000000000000000000000");
        await admin.PressAsync("7. Save");
        await admin.SeeAsync(admin.Page.Locator("#apikey-error"), "ActiveCampaign rejected this API key.");
        await admin.ShotAsync("activecampaign-bad-key");

        await admin.FillAsync("API key", ConnectionsKitKeys.ActiveCampaignToken, exact: true);
        await admin.StepAsync("Agree to the compliance statement", () => admin.Page.Locator("#consent").CheckAsync());
        await admin.PressAsync("7. Save");
        await admin.AtAsync("/Admin/Connections/Details/\\d+$");
        await admin.SeeAsync("Connected 'Customers (ActiveCampaign)' to ActiveCampaign");
        await admin.GotoAsync("/Admin/Connections");
        await admin.ShotAsync("connections");

        var rows = await app.StringsAsync("""
            SELECT name || '|' || platform || '|' || auth_kind || '|' || shared_with_contributors || '|' || sandbox || '|' || health
            FROM connections ORDER BY id
            """);
        Assert.Equal(
            ["Newsletter (Mailchimp)|mailchimp|OAuth|true|true|Healthy", "Customers (ActiveCampaign)|activecampaign|ApiKey|false|true|Healthy"],
            rows);
    }
}

internal static class ConnectionsKitKeys
{
    public const string ActiveCampaignToken = SegmentExport.Emulators.ActiveCampaign.ActiveCampaignOptions.DefaultApiToken;
}
