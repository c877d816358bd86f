using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Security.SecurityKit;

namespace SegmentExport.Tests.Security;

/// <summary>Sign-in lockout, password rules, session expiry and redirects after sign-in, with the settings that tune them.</summary>
public sealed class AccountSecurityTests(PostgresCluster postgres)
{
    private static Dictionary<string, string> Credentials(string email, string password) =>
        new() { ["Input.Email"] = email, ["Input.Password"] = password };

    [Fact]
    public async Task The_configured_number_of_failures_locks_the_account_for_the_configured_time_and_the_lockout_is_audited_once()
    {
        await using var app = TestApp.Start(postgres, "lockout-config", new Dictionary<string, string?>
        {
            ["Security:LockoutAttempts"] = "3",
            ["Security:LockoutDuration"] = "00:00:05",
        });
        var user = await app.CreateUserAsync("locked@example.com", Roles.Viewer);
        using var browser = app.Browser();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            using var failed = await browser.SubmitAsync("/Account/Login", Credentials("locked@example.com", $"wrong guess {attempt}"));
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        using var refused = await browser.SubmitAsync("/Account/Login", Credentials("locked@example.com", TestApp.Password));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Too many failed sign-ins: this account is locked", Browser.Text(await refused.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        await Task.Delay(TimeSpan.FromSeconds(5.5), Ct);
        await browser.SignInAsync("locked@example.com", TestApp.Password);

        var audit = await RowsAsync(app.Factory.ConnectionString, $"SELECT action, actor_id FROM audit_entries WHERE object_id = '{user.Id}' ORDER BY id");
        Assert.Equal(["user.locked_out", "user.signed_in"], audit.Select(a => a[0]));
        Assert.Equal(user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), audit[1][1]);
    }

    [Fact]
    public async Task Weak_passwords_are_refused_with_a_sentence_and_no_account_is_made()
    {
        await using var app = TestApp.Start(postgres, "pwrules");
        using var admin = await app.SetUpAdministratorAsync();
        (string Password, string Message)[] weak =
        [
            ("short pw", "at least 10 characters"),
            ("password123", "among the first ones attackers try"),
            ("1234567890", "among the first ones attackers try"),
            ("grace.hopper-2024", "must not contain the email address"),
            ("x grace.hopper@example.com", "must not contain the email address"),
        ];
        foreach (var (password, message) in weak)
        {
            using var response = await admin.SubmitAsync("/Admin/Users/Create", new Dictionary<string, string>
            {
                ["Input.DisplayName"] = "Grace",
                ["Input.Email"] = "grace.hopper@example.com",
                ["Input.Password"] = password,
                ["Input.ConfirmPassword"] = password,
                ["Role"] = Roles.Viewer,
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(message, Browser.Text(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        }

        Assert.Equal(0L, await ScalarObjectAsync(app.Factory.ConnectionString, "SELECT count(*) FROM users WHERE email = 'grace.hopper@example.com'"));
    }

    [Fact]
    public async Task The_minimum_password_length_can_be_raised()
    {
        await using var app = TestApp.Start(postgres, "pwlength", new Dictionary<string, string?> { ["Security:PasswordMinimumLength"] = "21" });
        using var admin = await app.SetUpAdministratorAsync();
        var form = new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Grace", ["Input.Email"] = "grace@example.com", ["Role"] = Roles.Viewer,
            ["Input.Password"] = "twenty chars pass ok", ["Input.ConfirmPassword"] = "twenty chars pass ok",
        };
        using var refused = await admin.SubmitAsync("/Admin/Users/Create", form);
        Assert.Contains("at least 21 characters", Browser.Text(await refused.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        form["Input.Password"] = form["Input.ConfirmPassword"] = "correct horse battery staple";
        using var accepted = await admin.SubmitAsync("/Admin/Users/Create", form);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
    }

    [Fact]
    public async Task A_session_slides_while_used_and_ends_after_the_configured_idle_time()
    {
        // The app's clock, moved by hand: the cookie handler takes its time from the app's TimeProvider.
        var clock = new ShiftedClock();
        await using var factory = new AppFactory(postgres.NewDatabase("session"), new Dictionary<string, string?> { ["Security:SessionTimeout"] = "01:00:00" });
        var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
            await accounts.CreateAsync(new NewUserInput { DisplayName = "S", Email = "session@example.com", Password = TestApp.Password, ConfirmPassword = TestApp.Password }, Roles.Viewer);
            scope.ServiceProvider.GetRequiredService<FirstRun>().Completed();
        }

        using var browser = Browser.For(app);
        await browser.SignInAsync("session@example.com", TestApp.Password);

        // Past half the timeout each request renews the session, so it outlives the first hour while in use...
        clock.Offset = TimeSpan.FromMinutes(40);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Data/Exports")).Status);
        clock.Offset = TimeSpan.FromMinutes(80);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Data/Exports")).Status);

        // ...and ends once it sits idle longer than that.
        clock.Offset = TimeSpan.FromMinutes(145);
        using var expired = await browser.Client.GetAsync("/Data/Exports", Ct);
        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.StartsWith("/Account/Login", expired.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    [Fact]
    public async Task A_return_address_elsewhere_is_ignored_after_sign_in()
    {
        await using var app = TestApp.Start(postgres, "openredirect");
        await app.CreateUserAsync("redirect@example.com", Roles.Viewer);
        string[] elsewhere =
        [
            "https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "http:evil.example", "javascript:alert(1)",
            " //evil.example", "/%2F%2Fevil.example", "https://localhost.evil.example/Data/Exports", "/\t/evil.example", "%2F%2Fevil.example",
        ];
        foreach (var returnUrl in elsewhere)
        {
            using var browser = app.Browser();
            var login = "/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl);
            using var response = await browser.SubmitAsync(login, login, Credentials("redirect@example.com", TestApp.Password));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            // As a browser reads it: the URL standard drops tabs and newlines anywhere in it.
            var location = new string(response.Headers.Location!.OriginalString.Where(c => c is not ('\t' or '\r' or '\n')).ToArray());

            // Where a browser would go: same host, and a path that no browser reads as another host.
            Assert.True(location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal) && !location.StartsWith("/\\", StringComparison.Ordinal),
                $"Sign-in with ReturnUrl={returnUrl} redirected to {location}");
            Assert.Equal("localhost", new Uri(new Uri("http://localhost/Account/Login"), location).Host);
        }
    }

    [Fact]
    public async Task A_local_return_address_is_followed_after_sign_in()
    {
        await using var app = TestApp.Start(postgres, "returnurl");
        await app.CreateUserAsync("back@example.com", Roles.Viewer);
        using var browser = app.Browser();
        using var bounced = await browser.Client.GetAsync("/Data/Segments?after=x", Ct);
        var login = bounced.Headers.Location!.PathAndQuery;
        using var response = await browser.SubmitAsync(login, login, Credentials("back@example.com", TestApp.Password));
        Assert.Equal("/Data/Segments?after=x", response.Headers.Location!.ToString());
    }
}
