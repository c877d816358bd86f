using System.Net;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Connections.ConnectionsKit;

namespace SegmentExport.Tests.Connections;

public sealed class ConnectionRoleTests(PostgresCluster postgres)
{
    private static IEnumerable<string> Gets(long id) =>
    [
        "/Admin/Connections", "/Admin/Connections/Add", "/Admin/Connections/Add?platform=mailchimp", $"/Admin/Connections/Details/{id}",
        $"/Admin/Connections/Edit/{id}", $"/Admin/Connections/Remove/{id}", "/Admin/Connections/Callback?code=x&state=y",
    ];

    private static IEnumerable<string> Posts(long id) =>
    [
        "/Admin/Connections/Add?platform=mailchimp", $"/Admin/Connections/Details/{id}?handler=Test", $"/Admin/Connections/Details/{id}?handler=Reconnect",
        $"/Admin/Connections/Edit/{id}", $"/Admin/Connections/Remove/{id}",
    ];

    [Fact]
    public async Task Only_administrators_reach_any_connection_handler_and_others_change_nothing()
    {
        await using var kit = await StartAsync(postgres, "conn-roles");
        using var admin = await kit.AdminAsync();
        var shared = IdFrom(await AddWithKeyAsync(admin, Platforms.Mailchimp, "Shared one", MailchimpKey, shared: true));
        var adminsOnly = IdFrom(await AddWithKeyAsync(admin, Platforms.ActiveCampaign, "Admins only", ActiveCampaignToken, ActiveCampaignHost));

        foreach (var path in Gets(shared).Where(p => !p.Contains("Callback", StringComparison.Ordinal)))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).Status);
        }

        var form = new Dictionary<string, string>
        {
            ["Input.Name"] = "Hijacked", ["Input.Consent"] = "true", ["Input.AuthMethod"] = "apikey", ["Input.ApiKey"] = MailchimpKey,
            ["Input.SharedWithContributors"] = "true", ["Input.ProfileCap"] = "10",
        };
        using var anonymous = kit.App.Browser();
        foreach (var path in Gets(shared))
        {
            using var response = await anonymous.Client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/Account/Login", StringComparison.Ordinal), $"anonymous GET {path}: {(int)response.StatusCode}");
        }

        foreach (var path in Posts(shared))
        {
            using var response = await anonymous.SubmitAsync("/Account/Login", path, form);
            Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.BadRequest, $"anonymous POST {path}: {(int)response.StatusCode}");
            Assert.False(response.Headers.Location?.ToString().Contains("/Admin/Connections", StringComparison.Ordinal) == true, $"anonymous POST {path} reached the handler");
        }

        foreach (var role in new[] { Roles.Viewer, Roles.Contributor })
        {
            using var user = await kit.App.SignedInAsync(role);
            foreach (var path in Gets(shared))
            {
                Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync(path)).Status);
            }

            // A valid antiforgery token from a page this user may see, so only authorization stands in the way.
            foreach (var path in Posts(shared))
            {
                using var response = await user.SubmitAsync("/Data/Connections", path, form);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role} POST {path}: {(int)response.StatusCode}");
            }

            // The read-only list: only what is shared with Contributors, by name and type, without secrets.
            var (status, html) = await user.GetAsync("/Data/Connections");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("Shared one", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Admins only", html, StringComparison.Ordinal);
            Assert.DoesNotContain(MailchimpKey, html, StringComparison.Ordinal);
            Assert.DoesNotContain("/Admin/Connections/Details", html, StringComparison.Ordinal);
        }

        var live = await kit.ConnectionAsync(shared);
        Assert.Equal(("Shared one", 1_000_000, (DateTimeOffset?)null), (live.Name, live.ProfileCap, live.RemovedAt));
        Assert.Equal(2, await kit.CountAsync());
        Assert.NotNull((await kit.ConnectionAsync(adminsOnly)).ProtectedCredentials);

        var (_, adminList) = await admin.GetAsync("/Data/Connections");
        Assert.Contains("Admins only", adminList, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contributors_may_use_only_shared_connections_and_viewers_none()
    {
        await using var kit = await StartAsync(postgres, "conn-usable");
        using var admin = await kit.AdminAsync();
        IdFrom(await AddWithKeyAsync(admin, Platforms.Mailchimp, "Shared one", MailchimpKey, shared: true));
        IdFrom(await AddWithKeyAsync(admin, Platforms.CampaignMonitor, "Admins only", CampaignMonitorKey));
        var accounts = kit.Get<ConnectionAccounts>();

        static System.Security.Claims.ClaimsPrincipal As(string role) =>
            new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Role, role)], "test"));

        Assert.Equal(["Admins only", "Shared one"], (await accounts.UsableByAsync(As(Roles.Administrator), Ct)).Select(c => c.Name).Order());
        Assert.Equal(["Shared one"], (await accounts.UsableByAsync(As(Roles.Contributor), Ct)).Select(c => c.Name));
        Assert.Empty(await accounts.UsableByAsync(As(Roles.Viewer), Ct));
    }
}
