using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using SegmentExport.Tests.Connections;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using static SegmentExport.Tests.Security.SecurityKit;

namespace SegmentExport.Tests.Security;

/// <summary>
/// Every page handler and API endpoint, for anonymous callers, Viewers, Contributors and Administrators, answers exactly
/// as <see cref="AccessTable"/> says; every form post needs its antiforgery token; every page is free of inline script.
/// </summary>
public sealed partial class RoleMatrixTests(PostgresCluster postgres)
{
    private const string Anonymous = "Anonymous";
    private static readonly string[] Callers = [Anonymous, Roles.Viewer, Roles.Contributor, Roles.Administrator];

    [Fact]
    public async Task Every_endpoint_of_the_app_has_a_row_in_the_access_table_and_every_row_an_endpoint()
    {
        await using var app = TestApp.Start(postgres, "endpoints");
        var endpoints = await Endpoints.KeysAsync(app.Factory.Services);
        var rows = AccessTable.Rows.Select(r => r.Key).ToList();

        Assert.True(rows.Count == rows.Distinct(StringComparer.Ordinal).Count(), "The access table lists a handler twice.");
        var missing = endpoints.Except(rows, StringComparer.Ordinal).ToList();
        var stale = rows.Except(endpoints, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "Handlers without a row in Security/AccessTable.cs (say who may call them): " + string.Join(", ", missing));
        Assert.True(stale.Count == 0, "Rows in Security/AccessTable.cs whose handler is gone: " + string.Join(", ", stale));
        Assert.All(AccessTable.Rows.Where(r => r.IsPost), r => Assert.True(r.Audit is not null, $"{r.Key}: say which audit action it records (\"\" when it changes nothing)."));
    }

    [Fact]
    public async Task Every_handler_answers_each_role_exactly_as_the_access_table_says()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "rolematrix");
        using var setup = await kit.App.SetUpAdministratorAsync();
        var browsers = new Dictionary<string, Browser>
        {
            [Anonymous] = kit.App.Browser(),
            [Roles.Viewer] = await kit.App.SignedInAsync(Roles.Viewer),
            [Roles.Contributor] = await kit.App.SignedInAsync(Roles.Contributor),
            [Roles.Administrator] = await kit.App.SignedInAsync(Roles.Administrator),
        };
        var objects = new Dictionary<string, OwnObjects>();
        var tokens = new Dictionary<string, string>();
        foreach (var caller in Callers)
        {
            objects[caller] = await SeedAsync(kit, setup, caller.ToLowerInvariant());
            tokens[caller] = await TokenAsync(browsers[caller], caller == Anonymous ? "/Account/Login" : "/");
        }

        var failures = new List<string>();
        var pages = new List<(string Where, string Html)>();
        var ordered = AccessTable.Rows.OrderBy(r => r.Last).ThenBy(r => r.Key == "POST /Account/Logout").ToList();
        foreach (var row in ordered)
        {
            foreach (var caller in Callers)
            {
                var path = objects[caller].Fill(row.Path);
                using var response = await SendAsync(browsers[caller], row, path, tokens[caller]);
                var body = await response.Content.ReadAsStringAsync(Ct);
                var expected = Expected(row.Access, caller, row.IsApi);
                var actual = row.Answers == (int)response.StatusCode && expected == "allowed" ? "allowed" : Outcome(response);
                if (actual != expected)
                {
                    failures.Add($"{caller} {row.Method} {path}: expected {expected}, got {actual} ({(int)response.StatusCode} {response.Headers.Location} {Shorten(Browser.Text(body))})");
                }

                if (response.Content.Headers.ContentType?.MediaType == "text/html")
                {
                    pages.Add(($"{caller} {row.Method} {path}", body));
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} answers differ from the access table:\n" + string.Join("\n", failures));

        // Every page seen above: forms that post carry the antiforgery token; no inline script, handlers or javascript: links.
        Assert.True(pages.Count > 100, $"Only {pages.Count} HTML pages were seen.");
        var problems = pages.SelectMany(p => HtmlProblems(p.Html).Select(problem => $"{p.Where}: {problem}")).Distinct().ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        foreach (var browser in browsers.Values)
        {
            browser.Dispose();
        }
    }

    [Fact]
    public async Task Every_form_post_without_its_antiforgery_token_gets_400_with_a_sentence()
    {
        await using var kit = await ConnectionsKit.StartAsync(postgres, "csrf-all");
        using var setup = await kit.App.SetUpAdministratorAsync();
        using var admin = await kit.App.SignedInAsync(Roles.Administrator);
        var mine = await SeedAsync(kit, setup, "admin");
        var before = await ScalarAsync(kit, "SELECT count(*) FROM audit_entries WHERE action <> 'user.signed_in'");

        // The status and error pages take POSTs only as re-executions of a failed request and change nothing; the API takes JSON only.
        var forms = AccessTable.Rows.Where(r => r.IsPost && !r.IsApi && r.Key is not ("POST /Status" or "POST /Error")).ToList();
        Assert.True(forms.Count >= 30, $"Only {forms.Count} form handlers.");
        foreach (var row in forms)
        {
            var path = mine.Fill(row.Path);
            using var response = await PostAsync(admin, path, token: null, [new("Input.Name", "csrf")]);
            var text = Browser.Text(await response.Content.ReadAsStringAsync(Ct));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"POST {path} without a token: {(int)response.StatusCode} {Shorten(text)}");
            Assert.Contains("reload the page and try again", text, StringComparison.Ordinal);
        }

        // A token from another browser (another session) is no better than none.
        using var other = await kit.App.SignedInAsync(Roles.Administrator);
        var foreign = await TokenAsync(other, "/");
        using var crossed = await PostAsync(admin, "/Admin/Users/Create", foreign, [new("Input.Email", "crossed@example.com")]);
        Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);

        // What a cross-site HTML form can send to the API (form fields, text/plain) is refused before anything is read.
        using var form = new FormUrlEncodedContent([new("profiles", "[]")]);
        using var viaForm = await admin.Client.PostAsync("/api/profiles", form, Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, viaForm.StatusCode);
        using var plain = new StringContent("{\"profiles\": [{\"email\": \"plain@example.com\"}]}", System.Text.Encoding.UTF8, "text/plain");
        using var viaPlain = await admin.Client.PostAsync("/api/profiles", plain, Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, viaPlain.StatusCode);

        Assert.Equal(0, await ScalarAsync(kit, "SELECT count(*) FROM profiles WHERE email = 'plain@example.com'"));
        Assert.Equal(before, await ScalarAsync(kit, "SELECT count(*) FROM audit_entries WHERE action <> 'user.signed_in'"));
    }

    private static async Task<HttpResponseMessage> SendAsync(Browser browser, AccessRow row, string path, string token)
    {
        if (!row.IsPost)
        {
            return await browser.Client.GetAsync(path, Ct);
        }

        if (row.IsApi)
        {
            return await browser.Client.PostAsJsonAsync(path, new { profiles = new[] { new { email = "matrix@example.com" } } }, Ct);
        }

        return await PostAsync(browser, path, token);
    }

    private static string Expected(Access access, string caller, bool api) => (access, caller) switch
    {
        (Access.Anyone, _) => "allowed",
        (_, Anonymous) => api ? "401" : "sign-in",
        (Access.Contributors or Access.Administrators, Roles.Viewer) => "403",
        (Access.Administrators, Roles.Contributor) => "403",
        _ => "allowed",
    };

    private static string Outcome(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.Redirect when response.Headers.Location?.ToString().Contains("/Account/Login?", StringComparison.Ordinal) == true => "sign-in",
        HttpStatusCode.Unauthorized => "401",
        HttpStatusCode.Forbidden => "403",
        HttpStatusCode.BadRequest => "400 (the test's token or request is wrong)",
        >= HttpStatusCode.InternalServerError => $"a server error {(int)response.StatusCode}",
        _ => "allowed",
    };

    /// <summary>Inline script (other than JSON data blocks), event-handler attributes, javascript: URLs, and post forms without a token.</summary>
    public static IEnumerable<string> HtmlProblems(string html)
    {
        foreach (Match script in ScriptTag().Matches(html))
        {
            var attributes = script.Groups[1].Value;
            if (!attributes.Contains("src=", StringComparison.Ordinal) && !attributes.Contains("type=\"application/json\"", StringComparison.Ordinal))
            {
                yield return "inline script " + Shorten(script.Value);
            }
        }

        foreach (Match handler in EventAttribute().Matches(html))
        {
            yield return "event-handler attribute " + handler.Value;
        }

        if (html.Contains("javascript:", StringComparison.OrdinalIgnoreCase))
        {
            yield return "a javascript: URL";
        }

        foreach (Match form in PostForm().Matches(html))
        {
            if (!form.Value.Contains("__RequestVerificationToken", StringComparison.Ordinal))
            {
                yield return "a post form without a token: " + Shorten(form.Value);
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    [GeneratedRegex("<script\\b([^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex("<[a-z][^>]*\\son[a-z]+\\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventAttribute();

    [GeneratedRegex("<form\\b[^>]*method=\"post\"[^>]*>.*?</form>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex PostForm();
}
