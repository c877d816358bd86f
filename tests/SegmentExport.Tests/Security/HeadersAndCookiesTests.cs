using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Security.SecurityKit;

namespace SegmentExport.Tests.Security;

public sealed class HeadersAndCookiesTests(PostgresCluster postgres)
{
    [Fact]
    public async Task Every_kind_of_response_carries_the_security_headers()
    {
        await using var app = TestApp.Start(postgres, "headers");
        using var admin = await app.SetUpAdministratorAsync();
        using var anonymous = app.Browser();
        using var script = await app.ApiClientAsync(Roles.Contributor);
        var responses = new List<(string What, HttpResponseMessage Response)>
        {
            ("a page", await admin.Client.GetAsync("/Data/Exports", Ct)),
            ("a sign-in redirect", await anonymous.Client.GetAsync("/Data/Exports", Ct)),
            ("the sign-in page", await anonymous.Client.GetAsync("/Account/Login", Ct)),
            ("a static file", await anonymous.Client.GetAsync("/css/site.css", Ct)),
            ("a script", await anonymous.Client.GetAsync("/js/segments-rules.js", Ct)),
            ("a 404 page", await admin.Client.GetAsync("/Data/Exports/Details/999999", Ct)),
            ("a 403 page", await (await app.SignedInAsync(Roles.Viewer)).Client.GetAsync("/Admin/Users", Ct)),
            ("an API 401", await anonymous.Client.PostAsync("/api/profiles", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Ct)),
            ("an API problem", await script.PostAsync("/api/profiles", new StringContent("{", System.Text.Encoding.UTF8, "application/json"), Ct)),
            ("an API answer to a token", await script.GetAsync("/api/exports", Ct)),
            ("an API 403 to a token", await (await app.ApiClientAsync(Roles.Viewer)).PostAsync("/api/profiles", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Ct)),
            ("an API 404", await script.GetAsync("/api/exports/999999", Ct)),
            ("an API refusal without the antiforgery header", await admin.Client.PostAsync("/api/profiles", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Ct)),
            ("the OpenAPI document", await anonymous.Client.GetAsync("/openapi/v1.json", Ct)),
            ("the API tokens page", await admin.Client.GetAsync("/Account/ApiTokens", Ct)),
            ("a health check", await anonymous.Client.GetAsync("/healthz", Ct)),
            ("a 400 without a token", await PostAsync(admin, "/Admin/Users/Create", null)),
        };

        foreach (var (what, response) in responses)
        {
            var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
            var directives = csp.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d);
            Assert.Equal("script-src 'self'", directives["script-src"]);
            Assert.Equal("object-src 'none'", directives["object-src"]);
            Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
            Assert.Equal("default-src 'self'", directives["default-src"]);
            Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
            Assert.Equal(["DENY"], response.Headers.GetValues("X-Frame-Options"));
            Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
            Assert.Equal(["same-origin"], response.Headers.GetValues("Referrer-Policy"));
            response.Dispose();
            _ = what;
        }
    }

    [Fact]
    public async Task Cookies_are_HttpOnly_and_SameSite_always_and_Secure_over_https_or_behind_a_trusted_proxy_saying_so()
    {
        await using var app = TestApp.Start(postgres, "cookies", new Dictionary<string, string?> { ["Security:TrustedProxies:0"] = "203.0.113.0/24" });
        await app.CreateUserAsync("cookie@example.com", Roles.Viewer);

        // Plain http: HttpOnly and SameSite, not Secure (a browser would drop a Secure cookie over http).
        using (var http = app.Browser())
        {
            var signIn = await SignInCookiesAsync(http);
            var auth = Cookie(signIn, "segmentexport.auth");
            Assert.Contains("httponly", auth, StringComparison.Ordinal);
            Assert.Contains("samesite=lax", auth, StringComparison.Ordinal);
            Assert.DoesNotContain("secure", auth, StringComparison.Ordinal);
            var antiforgery = Cookie(signIn, "segmentexport.antiforgery");
            Assert.Contains("httponly", antiforgery, StringComparison.Ordinal);
            Assert.Contains("samesite=strict", antiforgery, StringComparison.Ordinal);
        }

        // https: every cookie the app sets is Secure as well.
        using (var https = new Browser(app.Factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false })))
        {
            var signIn = await SignInCookiesAsync(https);
            foreach (var name in new[] { "segmentexport.auth", "segmentexport.antiforgery" })
            {
                var cookie = Cookie(signIn, name);
                Assert.Contains("secure", cookie, StringComparison.Ordinal);
                Assert.Contains("httponly", cookie, StringComparison.Ordinal);
            }
        }

        // Behind a proxy: X-Forwarded-Proto counts from loopback and from the trusted network, not from anyone else.
        Assert.Contains("secure", await AntiforgeryCookieViaAsync(app, "127.0.0.1", "https"), StringComparison.Ordinal);
        Assert.Contains("secure", await AntiforgeryCookieViaAsync(app, "203.0.113.7", "https"), StringComparison.Ordinal);
        Assert.DoesNotContain("secure", await AntiforgeryCookieViaAsync(app, "198.51.100.9", "https"), StringComparison.Ordinal);
        Assert.DoesNotContain("secure", await AntiforgeryCookieViaAsync(app, "127.0.0.1", "http"), StringComparison.Ordinal);
    }

    private static async Task<List<string>> SignInCookiesAsync(Browser browser)
    {
        using var page = await browser.Client.GetAsync("/Account/Login", Ct);
        var cookies = page.Headers.GetValues("Set-Cookie").ToList();
        using var response = await browser.SubmitAsync("/Account/Login", new Dictionary<string, string> { ["Input.Email"] = "cookie@example.com", ["Input.Password"] = TestApp.Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        cookies.AddRange(response.Headers.GetValues("Set-Cookie"));
        return cookies;
    }

    private static string Cookie(IEnumerable<string> setCookies, string name)
    {
        var cookie = setCookies.FirstOrDefault(c => c.StartsWith(name + "=", StringComparison.Ordinal));
        Assert.True(cookie is not null, $"No {name} cookie among: {string.Join(" | ", setCookies.Select(c => c.Split('=')[0]))}");
        return cookie.ToLowerInvariant();
    }

    private static async Task<string> AntiforgeryCookieViaAsync(TestApp app, string remote, string proto)
    {
        var context = await app.Factory.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/Account/Login";
            c.Request.Headers["X-Forwarded-Proto"] = proto;
            c.Request.Headers["X-Forwarded-For"] = "192.0.2.1";
            c.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        }, Ct);
        return Cookie(context.Response.Headers.SetCookie.Select(c => c ?? ""), "segmentexport.antiforgery");
    }
}
