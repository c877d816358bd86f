using SegmentExport.Tests.Infrastructure;

namespace SegmentExport.Tests.Journeys;

/// <summary>Journey 1: first-run setup creates the administrator; the administrator adds a Contributor and a Viewer.</summary>
[Collection(Journeys.Name)]
public sealed class Journey1FirstRunTests(PostgresCluster postgres, JourneyBrowser browser)
{
    private const string Journey = "1-first-run";

    [Fact]
    public async Task First_run_creates_the_admin_who_adds_a_contributor_and_a_viewer()
    {
        await using var app = JourneyApp.Start(postgres, "journey1");
        var admin = await app.OpenAsync(browser, Journey, "admin");

        // A fresh install leads every page to the first-run page.
        await admin.GotoAsync("/");
        await admin.AtAsync("/Setup$");
        await admin.SeeAsync("Create administrator");
        await admin.ShotAsync("setup");

        // Errors appear next to their field, and nothing is created.
        await admin.FillAsync("Your name", "Ada Admin");
        await admin.FillAsync("Email (you sign in with it)", "ada@example.com");
        await admin.FillAsync("Password (at least 10 characters)", "short");
        await admin.FillAsync("Password again", "short");
        await admin.PressAsync("Create administrator");
        await admin.SeeAsync("at least 10 characters");
        await admin.ShotAsync("setup-errors");

        // The form works from the keyboard alone: Tab from field to field, Enter to submit.
        await admin.StepAsync("Complete the form with the keyboard", async () =>
        {
            await admin.Page.GetByLabel("Password (at least 10 characters)").FocusAsync();
            await admin.Page.Keyboard.TypeAsync(TestApp.Password);
            await admin.Page.Keyboard.PressAsync("Tab");
            await admin.Page.Keyboard.TypeAsync(TestApp.Password);
            await admin.Page.Keyboard.PressAsync("Enter");
        });
        await admin.SeeAsync("Welcome, ");
        await admin.SeeAsync("Sign out");
        await admin.ShotAsync("home");

        await AddUserAsync(admin, "Carl Contributor", "carl@example.com", "Contributor");
        await AddUserAsync(admin, "Vera Viewer", "vera@example.com", "Viewer");
        await admin.ShotAsync("users");

        // Each can sign in, and only the administrator has the Admin menu.
        foreach (var (email, role) in new[] { ("carl@example.com", "contributor"), ("vera@example.com", "viewer") })
        {
            var user = await app.OpenAsync(browser, Journey, role);
            await user.SignInAsync(email, TestApp.Password);
            await user.NotSeeAsync(user.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Admin" }), "Admin menu for a " + role);
            await user.GotoAsync("/Data/Exports");
            await user.SeeAsync("Exports");
        }

        var roles = await app.StringsAsync("""
            SELECT u.email || '=' || r.name FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id ORDER BY u.email
            """);
        Assert.Equal(["ada@example.com=Administrator", "carl@example.com=Contributor", "vera@example.com=Viewer"], roles);
    }

    private static async Task AddUserAsync(JourneyPage admin, string name, string email, string role)
    {
        await admin.GotoAsync("/Admin/Users");
        await admin.FollowAsync("Add user");
        await admin.FillAsync("Name", name);
        await admin.FillAsync("Email (they sign in with it)", email);
        await admin.StepAsync($"Choose the role {role}", () => admin.Page.Locator($"#role-{role}").CheckAsync());
        await admin.FillAsync("Initial password (at least 10 characters)", TestApp.Password);
        await admin.FillAsync("Password again", TestApp.Password);
        await admin.PressAsync("Add user");
        await admin.SeeAsync($"Added {name} as {role}.");
        await admin.SeeAsync(email);
    }
}
