using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Tests.Database;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Identity;

public sealed class UserAdministrationTests(PostgresCluster postgres)
{
    [Fact]
    public async Task An_administrator_adds_a_user_who_can_then_sign_in_with_that_role()
    {
        await using var app = TestApp.Start(postgres, "adduser");
        using var admin = await app.SetUpAdministratorAsync();

        using var created = await admin.SubmitAsync("/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Vera Viewer",
            ["Input.Email"] = "vera@example.com",
            ["Input.Password"] = TestApp.Password,
            ["Input.ConfirmPassword"] = TestApp.Password,
            ["Role"] = Roles.Viewer,
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);

        var (_, list) = await admin.GetAsync("/Admin/Users");
        Assert.Contains("vera@example.com", list, StringComparison.Ordinal);

        using var vera = app.Browser();
        await vera.SignInAsync("vera@example.com", TestApp.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await vera.GetAsync("/Admin/Users")).Status);
        Assert.Contains("user.created", await AuditActionsAsync(app), StringComparer.Ordinal);
    }

    [Fact]
    public async Task A_duplicate_email_is_reported_next_to_the_email_field()
    {
        await using var app = TestApp.Start(postgres, "dupuser");
        using var admin = await app.SetUpAdministratorAsync();
        using var response = await admin.SubmitAsync("/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Copy",
            ["Input.Email"] = TestApp.AdminEmail,
            ["Input.Password"] = TestApp.Password,
            ["Input.ConfirmPassword"] = TestApp.Password,
            ["Role"] = Roles.Viewer,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"Email '{TestApp.AdminEmail}' is already taken.", Browser.Text(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Role_changes_disabling_and_password_resets_take_effect_and_are_audited()
    {
        await using var app = TestApp.Start(postgres, "manage");
        using var admin = await app.SetUpAdministratorAsync();
        var user = await app.CreateUserAsync("gina@example.com", Roles.Viewer);
        var page = $"/Admin/Users/Edit/{user.Id}";

        using (var promote = await admin.SubmitAsync(page, page + "?handler=Role", new Dictionary<string, string> { ["role"] = Roles.Administrator }))
        {
            Assert.Equal(HttpStatusCode.Redirect, promote.StatusCode);
        }

        using (var gina = app.Browser())
        {
            await gina.SignInAsync("gina@example.com", TestApp.Password);
            Assert.Equal(HttpStatusCode.OK, (await gina.GetAsync("/Admin/Users")).Status);
        }

        using (var reset = await admin.SubmitAsync(page, page + "?handler=Password", new Dictionary<string, string>
        {
            ["NewPassword"] = "a brand new password",
            ["ConfirmPassword"] = "a brand new password",
        }))
        {
            Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        }

        using (var disable = await admin.SubmitAsync(page, page + "?handler=Disable", new Dictionary<string, string>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, disable.StatusCode);
        }

        using (var gina = app.Browser())
        {
            using var refused = await gina.SubmitAsync("/Account/Login", new Dictionary<string, string>
            {
                ["Input.Email"] = "gina@example.com",
                ["Input.Password"] = "a brand new password",
            });
            Assert.Contains("This account is disabled.", Browser.Text(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        using (var enable = await admin.SubmitAsync(page, page + "?handler=Enable", new Dictionary<string, string>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, enable.StatusCode);
        }

        using (var gina = app.Browser())
        {
            await gina.SignInAsync("gina@example.com", "a brand new password");
        }

        var actions = await AuditActionsAsync(app);
        Assert.Contains("user.role_changed", actions, StringComparer.Ordinal);
        Assert.Contains("user.password_reset", actions, StringComparer.Ordinal);
        Assert.Contains("user.disabled", actions, StringComparer.Ordinal);
        Assert.Contains("user.enabled", actions, StringComparer.Ordinal);
    }

    [Fact]
    public async Task The_last_administrator_can_be_neither_demoted_nor_disabled()
    {
        await using var app = TestApp.Start(postgres, "lastadmin");
        using var admin = await app.SetUpAdministratorAsync();
        long adminId;
        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            adminId = (await scope.ServiceProvider.GetRequiredService<AppDbContext>().Users.SingleAsync()).Id;
        }

        var page = $"/Admin/Users/Edit/{adminId}";
        using var demote = await admin.SubmitAsync(page, page + "?handler=Role", new Dictionary<string, string> { ["role"] = Roles.Viewer });
        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
        Assert.Contains("This is the only enabled administrator", Browser.Text(await demote.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        using var disable = await admin.SubmitAsync(page, page + "?handler=Disable", new Dictionary<string, string>());
        Assert.Contains("it cannot be disabled", Browser.Text(await disable.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/Admin/Users")).Status);
    }

    [Fact]
    public async Task The_system_page_shows_the_database_version_the_scheduler_node_and_the_audit_log()
    {
        await using var app = TestApp.Start(postgres, "system");
        using var admin = await app.SetUpAdministratorAsync();
        await Eventually.HoldsAsync(async () =>
        {
            var (status, html) = await admin.GetAsync("/Admin/System");
            var text = Browser.Text(html);
            return status == HttpStatusCode.OK
                && text.Contains(LatestMigrations.All[^1], StringComparison.Ordinal)
                && text.Contains("this node", StringComparison.Ordinal)
                && text.Contains("Alive", StringComparison.Ordinal)
                && text.Contains("user.created", StringComparison.Ordinal);
        }, "the system page lists schema version, a live node and the setup audit entry");
    }

    private static async Task<List<string>> AuditActionsAsync(TestApp app)
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.AuditEntries.Select(a => a.Action).ToListAsync();
    }
}
