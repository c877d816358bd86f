using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Journeys;

/// <summary>Journey 5: the administrator sets the system refresh schedule, then removes a connection; its export shows detached.</summary>
[Collection(Journeys.Name)]
public sealed class Journey5AdminTests(PostgresCluster postgres, JourneyBrowser browser)
{
    private const string Journey = "5-admin";

    [Fact]
    public async Task Admin_schedules_the_system_refresh_and_removing_a_connection_detaches_its_export()
    {
        await using var app = JourneyApp.Start(postgres, "journey5", new Dictionary<string, string?> { ["Demo:SeedProfiles"] = "50" });
        await app.Users.CreateUserAsync("ada@example.com", Roles.Administrator);
        var admin = await app.OpenAsync(browser, Journey, "admin");
        await admin.SignInAsync("ada@example.com", TestApp.Password);

        await admin.GotoAsync("/Admin/System");
        await admin.SeeAsync("Now: off");
        await admin.SelectAsync("Schedule", "Daily");
        await admin.FillAsync("Time (HH:mm)", "02:30");
        await admin.FillAsync("Time zone", "Europe/Oslo");
        await admin.PressAsync("Save");
        await admin.SeeAsync("The system refresh schedule is saved.");
        await admin.SeeAsync("0 30 2 * * ?");
        await admin.SeeAsync("Europe/Oslo");
        await admin.ShotAsync("system-schedule");
        Assert.Equal(1L, await app.ScalarAsync<long>("SELECT count(*) FROM qrtz_cron_triggers WHERE cron_expression = '0 30 2 * * ?' AND time_zone_id = 'Europe/Oslo'"));

        var connection = await JourneySetup.ConnectSandboxMailchimpAsync(app, admin, "Old newsletter (Mailchimp)");
        var export = await JourneySetup.CreateExportAsync(app, connection, "Nordic buyers to the old newsletter", "Nordic recent buyers");

        await admin.GotoAsync($"/Admin/Connections/Details/{connection}");
        await admin.FollowAsync("Remove");
        await admin.SeeAsync("These exports use it");
        await admin.SeeAsync("Nordic buyers to the old newsletter");
        await admin.ShotAsync("remove-confirm");
        await admin.PressAsync("Remove connection");
        await admin.SeeAsync("Removed");

        await admin.GotoAsync("/Data/Exports");
        await admin.SeeAsync("Detached: the connection “Old newsletter (Mailchimp)” was removed.");
        await admin.ShotAsync("exports-detached");
        await admin.GotoAsync($"/Data/Exports/Details/{export}");
        await admin.SeeAsync("Detached: the connection “Old newsletter (Mailchimp)” was removed.");
        await admin.NotSeeAsync(admin.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Run now" }), "Run now for a detached export");
        await admin.ShotAsync("export-detached");
        Assert.Null(await app.ScalarAsync<object>($"SELECT protected_credentials FROM connections WHERE id = {connection}") as string);
    }
}
