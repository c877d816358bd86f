using System.Net;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;

namespace SegmentExport.Tests.Identity;

public sealed class SignInTests(PostgresCluster postgres)
{
    private static Dictionary<string, string> Credentials(string email, string password) =>
        new() { ["Input.Email"] = email, ["Input.Password"] = password };

    [Fact]
    public async Task The_right_password_signs_in_and_a_wrong_one_says_so_without_saying_which_part_was_wrong()
    {
        await using var app = TestApp.Start(postgres, "signin");
        await app.CreateUserAsync("carol@example.com", Roles.Contributor);
        using var browser = app.Browser();

        using var wrong = await browser.SubmitAsync("/Account/Login", Credentials("carol@example.com", "not the password"));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("The email or password is not right.", Browser.Text(await wrong.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        using var unknown = await browser.SubmitAsync("/Account/Login", Credentials("nobody@example.com", TestApp.Password));
        Assert.Contains("The email or password is not right.", Browser.Text(await unknown.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        await browser.SignInAsync("carol@example.com", TestApp.Password);
        var (status, html) = await browser.GetAsync("/Data/Exports");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("carol@example.com", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_password()
    {
        await using var app = TestApp.Start(postgres, "lockout");
        await app.CreateUserAsync("dave@example.com", Roles.Viewer);
        using var browser = app.Browser();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var failed = await browser.SubmitAsync("/Account/Login", Credentials("dave@example.com", $"wrong guess {attempt}"));
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        using var locked = await browser.SubmitAsync("/Account/Login", Credentials("dave@example.com", TestApp.Password));
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Contains("this account is locked", Browser.Text(await locked.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Four_wrong_passwords_do_not_lock_the_account()
    {
        await using var app = TestApp.Start(postgres, "nolockout");
        await app.CreateUserAsync("erin@example.com", Roles.Viewer);
        using var browser = app.Browser();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            using var failed = await browser.SubmitAsync("/Account/Login", Credentials("erin@example.com", $"wrong guess {attempt}"));
        }

        await browser.SignInAsync("erin@example.com", TestApp.Password);
    }

    [Fact]
    public async Task Pages_need_sign_in_but_sign_in_and_health_endpoints_do_not()
    {
        await using var app = TestApp.Start(postgres, "anon");
        await app.CreateUserAsync("frank@example.com", Roles.Viewer);
        using var browser = app.Browser();

        foreach (var path in new[] { "/", "/Data/Profiles", "/Data/Segments", "/Data/Exports", "/Admin/Users", "/Admin/System", "/Admin/Connections" })
        {
            using var response = await browser.Client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{path} answered {response.StatusCode} to an anonymous visitor");
            Assert.StartsWith("http://localhost/Account/Login", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Account/Login")).Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/healthz")).Status);
        await Eventually.HoldsAsync(async () => (await browser.GetAsync("/readyz")).Status == HttpStatusCode.OK, "/readyz reports ready");
    }

    [Fact]
    public async Task The_sign_out_button_in_the_menu_signs_out()
    {
        await using var app = TestApp.Start(postgres, "signout");
        using var browser = await app.SignedInAsync(Roles.Viewer);

        using var signOut = await browser.SubmitAsync("/", "/Account/Logout", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        using var after = await browser.Client.GetAsync("/Data/Profiles");
        Assert.StartsWith("http://localhost/Account/Login", after.Headers.Location?.ToString(), StringComparison.Ordinal);
    }
}
