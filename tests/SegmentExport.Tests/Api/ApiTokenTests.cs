using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Api.ApiKit;

namespace SegmentExport.Tests.Api;

public sealed partial class ApiTokenTests(PostgresCluster postgres)
{
    [Fact]
    public async Task A_token_is_shown_once_stored_hashed_acts_with_the_owners_role_and_stops_when_revoked()
    {
        await using var app = TestApp.Start(postgres, "apitokens");
        var email = $"viewer-{Guid.NewGuid():N}@example.com";
        var user = await app.CreateUserAsync(email, Roles.Viewer);
        using var browser = app.Browser();
        await browser.SignInAsync(email, TestApp.Password);

        var (status, empty) = await browser.GetAsync("/Account/ApiTokens");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("You have no API tokens yet", Browser.Text(empty), StringComparison.Ordinal);
        Assert.Contains("href=\"/Account/ApiTokens\"", (await browser.GetAsync("/")).Html, StringComparison.Ordinal);

        using var noName = await browser.SubmitAsync("/Account/ApiTokens", "/Account/ApiTokens?handler=Create", new Dictionary<string, string> { ["Input.Name"] = "", ["Input.ExpiresInDays"] = "30" });
        Assert.Contains("Name the token after what will use it", Browser.Text(await noName.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        using var created = await browser.SubmitAsync("/Account/ApiTokens", "/Account/ApiTokens?handler=Create", new Dictionary<string, string> { ["Input.Name"] = "nightly sync", ["Input.ExpiresInDays"] = "30" });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Contains("no-store", created.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        var page = await created.Content.ReadAsStringAsync(Ct);
        var secret = SecretPattern().Match(page).Groups[1].Value;
        Assert.StartsWith("sxp_", secret, StringComparison.Ordinal);
        Assert.Contains("shown only this once", Browser.Text(page), StringComparison.Ordinal);

        // Shown once: the list shows the prefix only, and the database holds the SHA-256, not the secret.
        var (_, later) = await browser.GetAsync("/Account/ApiTokens");
        Assert.DoesNotContain(secret, later, StringComparison.Ordinal);
        Assert.Contains(secret[..10], later, StringComparison.Ordinal);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        Assert.Equal($"nightly sync|{hash}|30", await ScalarAsync(app, $"SELECT name || '|' || token_hash || '|' || round(extract(epoch FROM expires_at - created_at) / 86400) FROM api_tokens WHERE user_id = {user.Id}"));
        Assert.Equal("0", await ScalarAsync(app, $"SELECT count(*) FROM api_tokens t WHERE position('{secret}' IN row_to_json(t)::text) > 0"));
        Assert.Equal("0", await ScalarAsync(app, $"SELECT count(*) FROM audit_entries a WHERE position('{secret}' IN row_to_json(a)::text) > 0"));
        Assert.Equal("1", await ScalarAsync(app, $"SELECT count(*) FROM audit_entries WHERE action = 'api_token.created' AND actor_name = '{email}'"));

        // Works, as a Viewer: reads yes, changes no; last use is recorded.
        using var client = Client(app, secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/exports", Ct)).StatusCode);
        Assert.NotEqual("", await ScalarAsync(app, $"SELECT coalesce(last_used_at::text, '') FROM api_tokens WHERE user_id = {user.Id}"));
        Assert.Contains("Viewers read only", Detail(await ProblemAsync(await client.PostAsync("/api/segments/1/refresh", null, Ct), HttpStatusCode.Forbidden)), StringComparison.Ordinal);

        // The owner's current role, not the role at creation.
        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
            Assert.Null(await accounts.SetRoleAsync((await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>().FindByIdAsync(user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))!, Roles.Contributor));
        }

        Assert.Contains("no segment #1", Detail(await ProblemAsync(await client.PostAsync("/api/segments/1/refresh", null, Ct), HttpStatusCode.NotFound)), StringComparison.Ordinal);

        // Revoked from the page: the next call is refused.
        var tokenId = await ScalarAsync(app, $"SELECT id FROM api_tokens WHERE user_id = {user.Id}");
        using var revoked = await browser.SubmitAsync("/Account/ApiTokens", $"/Account/ApiTokens?handler=Revoke&id={tokenId}", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        var refused = await ProblemAsync(await client.GetAsync("/api/exports", Ct), HttpStatusCode.Unauthorized);
        Assert.Contains("revoked", Detail(refused), StringComparison.Ordinal);
        Assert.Equal("1", await ScalarAsync(app, $"SELECT count(*) FROM audit_entries WHERE action = 'api_token.revoked' AND object_id = '{tokenId}'"));
        Assert.Contains("Revoked", Browser.Text((await browser.GetAsync("/Account/ApiTokens")).Html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_unknown_and_malformed_tokens_and_disabled_owners_get_401_problems()
    {
        await using var app = TestApp.Start(postgres, "apitokenrefused");
        var owner = await app.CreateUserAsync($"contributor-{Guid.NewGuid():N}@example.com", Roles.Contributor);
        var secret = await TokenAsync(app, owner);
        using var good = Client(app, secret);
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/api/segments", Ct)).StatusCode);

        using var anonymous = Client(app);
        var missing = await ProblemAsync(await anonymous.GetAsync("/api/segments", Ct), HttpStatusCode.Unauthorized);
        Assert.Contains("Authorization: Bearer", Detail(missing), StringComparison.Ordinal);
        Assert.StartsWith("Bearer", (await anonymous.GetAsync("/api/segments", Ct)).Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        foreach (var (header, expected) in new[]
        {
            (new AuthenticationHeaderValue("Bearer", "sxp_" + new string('A', 43)), "not recognised"),
            (new AuthenticationHeaderValue("Bearer", "ghp_somethingelse"), "not a SegmentExport API token"),
            (new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz"), "Authorization: Bearer sxp_"),
        })
        {
            using var client = Client(app);
            client.DefaultRequestHeaders.Authorization = header;
            using var response = await client.GetAsync("/api/segments", Ct);
            Assert.Contains(expected, Detail(await ProblemAsync(response, HttpStatusCode.Unauthorized)), StringComparison.Ordinal);
        }

        var expiring = await TokenAsync(app, owner, DateTimeOffset.UtcNow.AddDays(1));
        await ExecuteAsync(app, $"UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = '{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(expiring)))}'");
        using var expired = Client(app, expiring);
        Assert.Contains("expired on", Detail(await ProblemAsync(await expired.GetAsync("/api/segments", Ct), HttpStatusCode.Unauthorized)), StringComparison.Ordinal);

        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
            Assert.Null(await scope.ServiceProvider.GetRequiredService<UserAccounts>().SetDisabledAsync((await users.FindByIdAsync(owner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))!, true));
        }

        Assert.Contains("disabled", Detail(await ProblemAsync(await good.GetAsync("/api/segments", Ct), HttpStatusCode.Unauthorized)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_calls_that_change_things_need_the_antiforgery_header_and_token_calls_do_not()
    {
        await using var app = TestApp.Start(postgres, "apicsrf");
        var email = $"contributor-{Guid.NewGuid():N}@example.com";
        var user = await app.CreateUserAsync(email, Roles.Contributor);
        using var browser = app.Browser();
        await browser.SignInAsync(email, TestApp.Password);
        var body = new { profiles = new[] { new { email = "ann@example.com" } } };

        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/api/segments", Ct)).StatusCode);
        var refused = await ProblemAsync(await browser.Client.PostAsJsonAsync("/api/profiles", body, Ct), HttpStatusCode.BadRequest);
        Assert.Contains("antiforgery token", Detail(refused), StringComparison.Ordinal);
        Assert.Equal("0", await ScalarAsync(app, "SELECT count(*) FROM profiles"));

        var (_, page) = await browser.GetAsync("/Account/ApiTokens");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/profiles") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Add("RequestVerificationToken", System.Net.WebUtility.HtmlDecode(AntiforgeryPattern().Match(page).Groups[1].Value));
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.SendAsync(request, Ct)).StatusCode);

        using var scripted = Client(app, await TokenAsync(app, user));
        Assert.Equal(HttpStatusCode.OK, (await scripted.PostAsJsonAsync("/api/profiles", new { profiles = new[] { new { email = "bo@example.com" } } }, Ct)).StatusCode);
        Assert.Equal("2", await ScalarAsync(app, "SELECT count(*) FROM profiles"));
    }

    private static HttpClient Client(TestApp app, string? token = null)
    {
        var client = app.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private static async Task<string> TokenAsync(TestApp app, AppUser user, DateTimeOffset? expires = null)
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var (_, secret, _) = await scope.ServiceProvider.GetRequiredService<SegmentExport.Web.Api.ApiTokens>().CreateAsync(new System.Security.Claims.ClaimsPrincipal(), user.Id, "t", expires, Ct);
        return secret!;
    }

    private static async Task<string> ScalarAsync(TestApp app, string sql)
    {
        await using var db = new Npgsql.NpgsqlConnection(app.Factory.ConnectionString);
        await db.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand(sql, db);
        return Convert.ToString(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    private static async Task ExecuteAsync(TestApp app, string sql) => await ScalarAsync(app, sql);

    [GeneratedRegex("id=\"secret\"[^>]*value=\"(sxp_[A-Za-z0-9_-]+)\"")]
    private static partial Regex SecretPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryPattern();
}
