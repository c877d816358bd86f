using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Identity;

public sealed class RoleEnforcementTests(PostgresCluster postgres)
{
    private static Dictionary<string, string> NewUser(string email) => new()
    {
        ["Input.DisplayName"] = "Sneaky",
        ["Input.Email"] = email,
        ["Input.Password"] = TestApp.Password,
        ["Input.ConfirmPassword"] = TestApp.Password,
        ["Role"] = Roles.Administrator,
    };

    [Theory]
    [InlineData(Roles.Viewer)]
    [InlineData(Roles.Contributor)]
    public async Task Non_administrators_get_403_on_admin_pages_and_on_a_crafted_post(string role)
    {
        await using var app = TestApp.Start(postgres, "roles" + role[..3]);
        await app.CreateUserAsync(TestApp.AdminEmail, Roles.Administrator);
        using var browser = await app.SignedInAsync(role);

        foreach (var path in new[] { "/Admin/Users", "/Admin/Users/Create", "/Admin/System", "/Admin/Connections" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync(path)).Status);
        }

        // A valid antiforgery token from a page this user may see (the sign-out form in the layout), so
        // only authorization stands between the request and the handler.
        using var crafted = await browser.SubmitAsync("/Data/Exports", "/Admin/Users/Create", NewUser("crafted@example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, crafted.StatusCode);

        var admin = await FindUserAsync(app, TestApp.AdminEmail);
        using var demote = await browser.SubmitAsync("/Data/Exports", $"/Admin/Users/Edit/{admin!.Id}?handler=Disable", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Forbidden, demote.StatusCode);

        Assert.Null(await FindUserAsync(app, "crafted@example.com"));
        Assert.False((await FindUserAsync(app, TestApp.AdminEmail))!.IsDisabled);
    }

    [Fact]
    public async Task Non_administrators_see_no_admin_menu()
    {
        await using var app = TestApp.Start(postgres, "menu");
        using var viewer = await app.SignedInAsync(Roles.Viewer);
        var (_, html) = await viewer.GetAsync("/");
        Assert.DoesNotContain("/Admin/Users", html, StringComparison.Ordinal);

        using var admin = await app.SignedInAsync(Roles.Administrator);
        (_, html) = await admin.GetAsync("/");
        Assert.Contains("/Admin/Users", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_without_an_antiforgery_token_is_refused()
    {
        await using var app = TestApp.Start(postgres, "csrf");
        using var admin = await app.SignedInAsync(Roles.Administrator);
        using var content = new FormUrlEncodedContent(NewUser("nocsrf@example.com"));
        using var response = await admin.Client.PostAsync("/Admin/Users/Create", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(await FindUserAsync(app, "nocsrf@example.com"));
    }

    private static async Task<AppUser?> FindUserAsync(TestApp app, string email)
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == email);
    }
}
