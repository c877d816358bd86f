using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using SegmentExport.Emulators;
using SegmentExport.Emulators.Common.OAuth;
using SegmentExport.Emulators.ConstantContact;
using static SegmentExport.Tests.Emulators.EmulatorTestKit;

namespace SegmentExport.Tests.Emulators;

public sealed class ConstantContactEmulatorTests
{
    private const string Newsletter = ConstantContactOptions.NewsletterListId;

    private static HttpClient Api(SandboxEmulators sandbox, string accessToken) =>
        ClientFor(sandbox.Describe("constantcontact").BaseUrls["api"], new AuthenticationHeaderValue("Bearer", accessToken));

    private static void Quick(SandboxStartOptions options) => options.Configure<ConstantContactOptions>(o =>
    {
        o.ActivityInitialized = o.ActivityProcessing = TimeSpan.FromMilliseconds(50);
        o.RequestsPerSecond = 1000;
        o.TokenRequestsPerSecond = 1000;
    });

    private static async Task<JsonElementAndCode> AuthorizeAsync(SandboxEmulators sandbox, string scope, string? verifier)
    {
        var info = sandbox.Describe("constantcontact");
        var challenge = verifier is null ? "" : $"&code_challenge={Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))}&code_challenge_method=S256";
        var url = new Uri($"{info.BaseUrls["oauth_authorize"]}?response_type=code&client_id={ConstantContactOptions.DefaultClientId}&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&scope={Uri.EscapeDataString(scope)}&state=s1{challenge}");
        using var browser = ClientFor(sandbox.BaseAddress);
        var page = await browser.GetStringAsync(url, Ct);
        var allowed = await browser.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { ["decision"] = "allow" }), Ct);
        var code = System.Web.HttpUtility.ParseQueryString(allowed.Headers.Location!.Query)["code"]!;
        return new JsonElementAndCode(page, code);
    }

    private sealed record JsonElementAndCode(string Page, string Code);

    private static async Task<HttpResponseMessage> TokenAsync(SandboxEmulators sandbox, Dictionary<string, string> form, bool basic = true)
    {
        using var client = ClientFor(sandbox.BaseAddress, basic ? Basic(ConstantContactOptions.DefaultClientId, ConstantContactOptions.DefaultClientSecret) : null);
        return await client.PostAsync(sandbox.Describe("constantcontact").BaseUrls["oauth_token"], new FormUrlEncodedContent(form), Ct);
    }

    private static Dictionary<string, string> CodeGrant(string code, string? verifier) => new()
    {
        ["grant_type"] = "authorization_code",
        ["code"] = code,
        ["redirect_uri"] = "http://localhost/cb",
        ["code_verifier"] = verifier ?? "",
    };

    [Fact]
    public async Task PKCE_code_exchange_gives_a_24_hour_JWT_and_a_refresh_token_with_offline_access()
    {
        await using var sandbox = await StartAsync(Quick);
        var verifier = "verifier-" + new string('a', 50);
        var authorize = await AuthorizeAsync(sandbox, "contact_data account_read offline_access", verifier);

        var response = await TokenAsync(sandbox, CodeGrant(authorize.Code, verifier));
        var token = await response.JsonAsync();
        using var api = Api(sandbox, token.Str("access_token"));
        var summary = await api.GetAsync("account/summary");

        Assert.Contains(">Allow<", authorize.Page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(86400, token.Int("expires_in"));
        Assert.Equal(3, token.Str("access_token").Split('.').Length);
        Assert.False(string.IsNullOrEmpty(token.Str("refresh_token")));
        Assert.Equal("SegmentExport Sandbox", (await summary.JsonAsync()).Str("organization_name"));
    }

    [Fact]
    public async Task A_wrong_PKCE_verifier_or_a_reused_code_is_refused_with_invalid_grant()
    {
        await using var sandbox = await StartAsync(Quick);
        var verifier = "right-" + new string('b', 50);
        var first = await AuthorizeAsync(sandbox, "contact_data", verifier);
        var second = await AuthorizeAsync(sandbox, "contact_data", verifier);

        var wrong = await TokenAsync(sandbox, CodeGrant(first.Code, "wrong-" + new string('b', 50)));
        var publicClientGrant = CodeGrant(second.Code, verifier);
        publicClientGrant["client_id"] = ConstantContactOptions.DefaultClientId;
        var good = await TokenAsync(sandbox, publicClientGrant, basic: false);
        var reused = await TokenAsync(sandbox, CodeGrant(second.Code, verifier));

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("invalid_grant", (await wrong.JsonAsync()).Str("error"));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.False((await good.JsonAsync()).TryGetProperty("refresh_token", out _));
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
    }

    [Fact]
    public async Task A_refresh_rotates_the_refresh_token_and_the_old_one_is_refused()
    {
        await using var sandbox = await StartAsync(Quick);
        var authorize = await AuthorizeAsync(sandbox, "contact_data offline_access", null);
        var tokens = await (await TokenAsync(sandbox, CodeGrant(authorize.Code, null))).JsonAsync();
        var refresh = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.Str("refresh_token") };

        var rotated = await (await TokenAsync(sandbox, refresh)).JsonAsync();
        var replay = await TokenAsync(sandbox, refresh);
        var next = await TokenAsync(sandbox, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = rotated.Str("refresh_token") });

        Assert.NotEqual(tokens.Str("refresh_token"), rotated.Str("refresh_token"));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await replay.JsonAsync()).Str("error"));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Bad_client_credentials_get_invalid_client_and_the_token_endpoint_allows_one_request_per_second()
    {
        await using var sandbox = await StartAsync();
        using var wrongSecret = ClientFor(sandbox.BaseAddress, Basic(ConstantContactOptions.DefaultClientId, "nope"));

        var refused = await wrongSecret.PostAsync(sandbox.Describe("constantcontact").BaseUrls["oauth_token"], new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token" }), Ct);
        var first = await TokenAsync(sandbox, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = "x" });
        var second = await TokenAsync(sandbox, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = "x" });

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("invalid_client", (await refused.JsonAsync()).Str("error"));
        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }

    [Fact]
    public async Task An_invalid_or_expired_token_gets_401_as_an_error_array()
    {
        var clock = new ShiftableClock();
        await using var sandbox = await StartAsync(o => o.TimeProvider = clock);
        var tokens = sandbox.ConstantContact.IssueTokens();
        using var api = Api(sandbox, tokens.AccessToken);
        using var bogus = Api(sandbox, "not-a-token");

        var before = await api.GetAsync("contact_lists");
        clock.Shift(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        var expired = await api.GetAsync("contact_lists");
        var invalid = await bogus.GetAsync("contact_lists");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        var error = (await expired.JsonAsync())[0];
        Assert.Equal("unauthorized", error.Str("error_key"));
        Assert.Equal("The Access Token used is invalid.", error.Str("error_message"));
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
    }

    [Fact]
    public async Task A_json_import_goes_from_initialized_through_processing_to_completed_with_counts()
    {
        await using var sandbox = await StartAsync(o => o.Configure<ConstantContactOptions>(c =>
        {
            c.ActivityInitialized = c.ActivityProcessing = TimeSpan.FromMilliseconds(400);
            c.RequestsPerSecond = 1000;
        }));
        using var api = Api(sandbox, sandbox.ConstantContact.IssueTokens().AccessToken);
        var import_data = new object[]
        {
            new Dictionary<string, string> { ["email"] = "new@example.com", ["first_name"] = "Nina", ["cf:loyalty_tier"] = "silver" },
            new Dictionary<string, string> { ["email"] = "unsubscribed@example.com", ["first_name"] = "Una2" },
            new Dictionary<string, string> { ["email"] = "broken@@example" },
        };

        var created = await api.PostJsonAsync("activities/contacts_json_import", new { import_data, list_ids = new List<string> { Newsletter } });
        var activity = await created.JsonAsync();
        var states = new List<string> { activity.Str("state") };
        var done = await Eventually(
            async () =>
            {
                var a = await (await api.GetAsync($"activities/{activity.Str("activity_id")}")).JsonAsync();
                if (states[^1] != a.Str("state"))
                {
                    states.Add(a.Str("state"));
                }

                return a;
            },
            a => a.Str("state") == "completed");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["initialized", "processing", "completed"], states);
        var status = done.GetProperty("status");
        Assert.Equal(3, status.Int("items_total_count"));
        Assert.Equal(2, status.Int("person_count"));
        Assert.Equal(1, status.Int("correctable_count"));
        Assert.Equal(1, status.Int("cannot_add_to_list_count"));
        var nina = sandbox.ConstantContact.InspectContact(Newsletter, "new@example.com")!;
        Assert.Equal("silver", nina.Fields["cf:loyalty_tier"]);
        Assert.Contains(Newsletter, nina.Fields["list_memberships"], StringComparison.Ordinal);
        var una = sandbox.ConstantContact.InspectContact(Newsletter, "unsubscribed@example.com")!;
        Assert.Equal("unsubscribed", una.Status);
        Assert.Equal("", una.Fields["list_memberships"]);
    }

    [Fact]
    public async Task An_import_over_40000_contacts_or_with_an_unknown_custom_field_is_refused()
    {
        await using var sandbox = await StartAsync(Quick);
        using var api = Api(sandbox, sandbox.ConstantContact.IssueTokens().AccessToken);
        var lists = new List<string> { Newsletter };

        var tooMany = await api.PostJsonAsync("activities/contacts_json_import", new { import_data = Enumerable.Range(0, 40_001).Select(i => new { email = $"u{i}@example.com" }).ToList(), list_ids = lists });
        var unknownField = await api.PostJsonAsync("activities/contacts_json_import", new { import_data = new List<object> { new Dictionary<string, string> { ["email"] = "a@example.com", ["cf:nope"] = "x" } }, list_ids = lists });

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("activity.import_data.too_many", (await tooMany.JsonAsync())[0].Str("error_key"));
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.Contains("cf:nope", (await unknownField.JsonAsync())[0].Str("error_message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_4_MB_only_the_contacts_inside_the_first_4_MB_are_imported()
    {
        await using var sandbox = await StartAsync(Quick);
        using var api = Api(sandbox, sandbox.ConstantContact.IssueTokens().AccessToken);
        var filler = new string('z', 40);
        var rows = Enumerable.Range(0, 40_000).Select(i => new { email = $"bulk{i:D5}@example.com", job_title = filler, company_name = filler }).ToList();
        var rowBytes = System.Text.Json.JsonSerializer.Serialize(rows[0]).Length + 1;

        var created = await (await api.PostJsonAsync("activities/contacts_json_import", new { import_data = rows, list_ids = new List<string> { Newsletter } })).JsonAsync();
        var done = await Eventually(async () => await (await api.GetAsync($"activities/{created.Str("activity_id")}")).JsonAsync(), a => a.Str("state") == "completed");

        var imported = done.GetProperty("status").Int("person_count");
        Assert.InRange(imported, (4 * 1024 * 1024 / rowBytes) - 2, 4 * 1024 * 1024 / rowBytes);
        Assert.NotNull(sandbox.ConstantContact.InspectContact(Newsletter, "bulk00000@example.com"));
        Assert.Null(sandbox.ConstantContact.InspectContact(Newsletter, "bulk39999@example.com"));
    }

    [Fact]
    public async Task Remove_list_memberships_takes_at_most_500_contact_ids_and_removes_membership_only()
    {
        await using var sandbox = await StartAsync(Quick);
        using var api = Api(sandbox, sandbox.ConstantContact.IssueTokens().AccessToken);
        var bob = (await (await api.GetAsync("contacts?email=bob@example.com")).JsonAsync()).GetProperty("contacts")[0].Str("contact_id");
        var targets = new List<string> { Newsletter };

        var tooMany = await api.PostJsonAsync("activities/remove_list_memberships", new { source = new { contact_ids = Enumerable.Range(0, 501).Select(_ => Guid.NewGuid().ToString()).ToList() }, list_ids = targets });
        var removal = await (await api.PostJsonAsync("activities/remove_list_memberships", new { source = new { contact_ids = new List<string> { bob } }, list_ids = targets })).JsonAsync();
        await Eventually(async () => await (await api.GetAsync($"activities/{removal.Str("activity_id")}")).JsonAsync(), a => a.Str("state") == "completed");

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        var contact = sandbox.ConstantContact.InspectContact(Newsletter, "bob@example.com")!;
        Assert.Equal("", contact.Fields["list_memberships"]);
        Assert.Equal("explicit", contact.Status);
    }

    [Fact]
    public async Task Requests_over_4_per_second_and_over_the_daily_quota_get_429_with_their_error_keys()
    {
        await using var sandbox = await StartAsync(o => o.Configure<ConstantContactOptions>(c => c.RequestsPerDay = 6));
        using var api = Api(sandbox, sandbox.ConstantContact.IssueTokens().AccessToken);

        var burst = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            burst.Add(await api.GetAsync("contact_lists"));
        }

        var quota = await Eventually(() => api.GetAsync("contact_lists"), r => r.StatusCode == HttpStatusCode.TooManyRequests && r.Content.ReadAsStringAsync(Ct).Result.Contains("quota_exceeded", StringComparison.Ordinal), TimeSpan.FromSeconds(5));

        Assert.All(burst.Take(4), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, burst[4].StatusCode);
        Assert.Equal("throttled", (await burst[4].JsonAsync())[0].Str("error_key"));
        Assert.Equal("quota_exceeded", (await quota.JsonAsync())[0].Str("error_key"));
    }

    [Fact]
    public async Task More_queued_activities_than_allowed_get_429()
    {
        await using var sandbox = await StartAsync(o => o.Configure<ConstantContactOptions>(c =>
        {
            c.MaxQueuedActivities = 1;
            c.ActivityInitialized = TimeSpan.FromSeconds(30);
        }));
        using var api = Api(sandbox, sandbox.ConstantContact.IssueTokens().AccessToken);
        var body = new { import_data = new List<object> { new { email = "q@example.com" } }, list_ids = new List<string> { Newsletter } };

        var first = await api.PostJsonAsync("activities/contacts_json_import", body);
        var second = await api.PostJsonAsync("activities/contacts_json_import", body);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("queued activities", (await second.JsonAsync())[0].Str("error_message"), StringComparison.Ordinal);
    }

    private static string Base64Url(byte[] bytes) => OAuthServer.Base64Url(bytes);
}

/// <summary>System time plus an offset the test moves forward (timers still run in real time).</summary>
internal sealed class ShiftableClock : TimeProvider
{
    private long _offsetTicks;

    public void Shift(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
