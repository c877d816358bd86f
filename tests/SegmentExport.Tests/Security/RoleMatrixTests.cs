using System.Net;
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
        Assert.All(AccessTable.Rows.Where(r => r.Changes), r => Assert.True(r.Audit is not null, $"{r.Key}: say which audit action it records (\"\" when it changes nothing)."));
        Assert.All(AccessTable.Rows.Where(r => r.IsApi && r.Changes), r => Assert.True(r.Body is not null, $"{r.Key}: give the JSON body of a call that succeeds (\"\" for none)."));
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

        // The API as a script calls it: each signed-in caller's own API token, made on their API tokens page; none for Anonymous.
        var scripts = new Dictionary<string, HttpClient>();
        var apiTokenIds = new Dictionary<string, string> { [Anonymous] = "0" };
        foreach (var caller in Callers)
        {
            objects[caller] = await SeedAsync(kit, setup, caller.ToLowerInvariant());
            tokens[caller] = await TokenAsync(browsers[caller], caller == Anonymous ? "/Account/Login" : "/");
            var secret = default(string);
            if (caller != Anonymous)
            {
                (secret, var id) = await ApiTokenAsync(kit, browsers[caller], "role matrix");
                apiTokenIds[caller] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            scripts[caller] = ApiClient(kit, secret);
        }

        var failures = new List<string>();
        var pages = new List<(string Where, string Html)>();
        var ordered = AccessTable.Rows.OrderBy(r => r.Last).ThenBy(r => r.Key == "POST /Account/Logout").ToList();
        foreach (var row in ordered)
        {
            foreach (var caller in Callers)
            {
                var path = objects[caller].Fill(row.Path).Replace("{token}", apiTokenIds[caller], StringComparison.Ordinal);
                var expected = Expected(row.Access, caller, row.IsApi);
                if (row.IsApi)
                {
                    var json = row.Body is null ? null : objects[caller].Fill(row.Body);
                    using var call = await SendApiAsync(scripts[caller], row, path, json, antiforgery: null);
                    await CheckApiAsync(failures, $"{caller} (API token)", row, path, call, expected);

                    // The app's own pages call the API with the cookie and the antiforgery header: the same rules. Reads and
                    // refusals only, so each change above happens once.
                    if (caller != Anonymous && (!row.Changes || expected != "allowed"))
                    {
                        using var viaCookie = await SendApiAsync(browsers[caller].Client, row, path, json, antiforgery: tokens[caller]);
                        await CheckApiAsync(failures, $"{caller} (cookie)", row, path, viaCookie, expected);
                    }

                    continue;
                }

                using var response = await SendAsync(browsers[caller], row, path, tokens[caller]);
                var body = await response.Content.ReadAsStringAsync(Ct);
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

        foreach (var script in scripts.Values)
        {
            script.Dispose();
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

        // The status and error pages take POSTs only as re-executions of a failed request and change nothing; the API is below.
        var forms = AccessTable.Rows.Where(r => r.IsPost && !r.IsApi && r.Key is not ("POST /Status" or "POST /Error")).ToList();
        Assert.True(forms.Count >= 30, $"Only {forms.Count} form handlers.");
        foreach (var row in forms)
        {
            var path = mine.Fill(row.Path).Replace("{token}", "0", StringComparison.Ordinal);
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

        // The API with the sign-in cookie: whatever a cross-site page can send (an HTML form's fields or text/plain, even JSON)
        // carries no antiforgery header, and is refused with a sentence before the body is read. (With the header, a form
        // would get 415; the antiforgery check comes first, as it refuses every cookie call without it.)
        var adminToken = await TokenAsync(admin, "/");
        static HttpContent Form() => new FormUrlEncodedContent([new("profiles", "[]")]);
        static HttpContent Body(string json, string type) => new StringContent(json, System.Text.Encoding.UTF8, type);
        const string batch = "{\"profiles\": [{\"email\": \"plain@example.com\"}]}";
        foreach (var (method, path, content) in new (string, string, HttpContent)[]
        {
            ("POST", "/api/profiles", Form()), ("POST", "/api/profiles", Body(batch, "text/plain")), ("POST", "/api/profiles", Body(batch, "application/json")),
            ("PATCH", mine.Fill("/api/exports/{export}"), Body("{\"name\": \"csrf\"}", "application/json")), ("POST", mine.Fill("/api/exports/{export}/runs"), Form()),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
            using var crossSite = await admin.Client.SendAsync(request, Ct);
            var problem = await crossSite.Content.ReadAsStringAsync(Ct);
            Assert.True(crossSite.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} ({content.Headers.ContentType}) with the cookie and no antiforgery header: {(int)crossSite.StatusCode} {problem}");
            Assert.Equal("application/problem+json", crossSite.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Antiforgery token missing or invalid.", problem, StringComparison.Ordinal);
            Assert.Contains("RequestVerificationToken", problem, StringComparison.Ordinal);
        }

        // A header from another session is no better, and the right header on a form body still gets no further than 415.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/profiles") { Content = Body(batch, "application/json") })
        {
            request.Headers.Add("RequestVerificationToken", foreign);
            using var foreignHeader = await admin.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, foreignHeader.StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/profiles") { Content = Form() })
        {
            request.Headers.Add("RequestVerificationToken", adminToken);
            using var formWithHeader = await admin.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, formWithHeader.StatusCode);
        }

        Assert.Equal(0, await ScalarAsync(kit, "SELECT count(*) FROM profiles WHERE email = 'plain@example.com'"));
        Assert.Equal("Export of admin", await ScalarObjectAsync(kit.App.Factory.ConnectionString, $"SELECT name FROM exports WHERE id = {mine.Export}"));
        Assert.Equal(before, await ScalarAsync(kit, "SELECT count(*) FROM audit_entries WHERE action <> 'user.signed_in'"));

        // The same call from the app's own page, header and all, goes through: the refusals above are the missing header's.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/profiles") { Content = Body(batch, "application/json") })
        {
            request.Headers.Add("RequestVerificationToken", adminToken);
            using var sameSite = await admin.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, sameSite.StatusCode);
        }

        Assert.Equal(1, await ScalarAsync(kit, "SELECT count(*) FROM profiles WHERE email = 'plain@example.com'"));
    }

    private static async Task<HttpResponseMessage> SendAsync(Browser browser, AccessRow row, string path, string token)
    {
        if (!row.IsPost)
        {
            return await browser.Client.GetAsync(path, Ct);
        }

        return await PostAsync(browser, path, token);
    }

    private static async Task<HttpResponseMessage> SendApiAsync(HttpClient client, AccessRow row, string path, string? json, string? antiforgery)
    {
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), path);
        if (!string.IsNullOrEmpty(json))
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        if (antiforgery is not null)
        {
            request.Headers.Add("RequestVerificationToken", antiforgery);
        }

        return await client.SendAsync(request, Ct);
    }

    /// <summary>
    /// API answers are problem details (never a redirect or a page), and "allowed" means it did what was asked: a 2xx, or a 409
    /// when the state forbids it (a run already going or ended), which is decided after the caller was let in.
    /// </summary>
    private static async Task CheckApiAsync(List<string> failures, string who, AccessRow row, string path, HttpResponseMessage response, string expected)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(Ct);
        var actual = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "401",
            HttpStatusCode.Forbidden => "403",
            HttpStatusCode.Conflict => "allowed",
            _ when status is >= 200 and < 300 => "allowed",
            _ => $"{status} (the test's request is wrong, or the app)",
        };
        var problem = status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json";
        if (actual != expected || problem)
        {
            failures.Add($"{who} {row.Method} {path}: expected {expected}{(problem ? " as problem details" : "")}, got {actual} ({status} {response.Content.Headers.ContentType?.MediaType} {Shorten(body)})");
        }
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
