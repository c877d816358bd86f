using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;

namespace SegmentExport.Tests.Identity;

public sealed class FirstRunTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Every_page_leads_to_setup_until_the_first_administrator_exists()
    {
        await using var app = TestApp.Start(postgres, "firstrun");
        using var browser = app.Browser();

        using var home = await browser.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/Setup", home.Headers.Location?.OriginalString);

        var (status, html) = await browser.GetAsync("/Setup");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Create administrator", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_creates_a_signed_in_administrator_and_then_is_gone()
    {
        await using var app = TestApp.Start(postgres, "setup");
        using var admin = await app.SetUpAdministratorAsync();

        var (status, html) = await admin.GetAsync("/Admin/Users");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(TestApp.AdminEmail, html, StringComparison.Ordinal);
        Assert.Contains("Administrator", Browser.Text(html), StringComparison.Ordinal);

        using var anonymous = app.Browser();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/Setup")).Status);
        using var secondAttempt = await anonymous.SubmitAsync("/Account/Login", "/Setup", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Mallory",
            ["Input.Email"] = "mallory@example.com",
            ["Input.Password"] = TestApp.Password,
            ["Input.ConfirmPassword"] = TestApp.Password,
        });
        Assert.Equal(HttpStatusCode.NotFound, secondAttempt.StatusCode);

        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(1, await db.Users.CountAsync());
        var entry = await db.Set<AuditEntry>().SingleAsync();
        Assert.Equal("user.created", entry.Action);
    }

    [Fact]
    public async Task Setup_form_errors_are_shown_next_to_the_fields_and_nothing_is_created()
    {
        await using var app = TestApp.Start(postgres, "setupbad");
        using var browser = app.Browser();
        using var response = await browser.SubmitAsync("/Setup", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "",
            ["Input.Email"] = "not-an-email",
            ["Input.Password"] = "short",
            ["Input.ConfirmPassword"] = "different",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = Browser.Text(await response.Content.ReadAsStringAsync());
        Assert.Contains("Enter a name people will recognise.", text, StringComparison.Ordinal);
        Assert.Contains("Enter an email address such as name@example.com.", text, StringComparison.Ordinal);
        Assert.Contains("Use at least 10 characters.", text, StringComparison.Ordinal);
        Assert.Contains("The two passwords differ.", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Setup")).Status);
    }
}
