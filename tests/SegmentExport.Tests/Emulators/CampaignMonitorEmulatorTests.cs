using System.Net;
using System.Net.Http.Headers;
using SegmentExport.Emulators;
using SegmentExport.Emulators.CampaignMonitor;
using static SegmentExport.Tests.Emulators.EmulatorTestKit;

namespace SegmentExport.Tests.Emulators;

public sealed class CampaignMonitorEmulatorTests
{
    private const string Newsletter = CampaignMonitorOptions.NewsletterListId;

    private static HttpClient Api(SandboxEmulators sandbox, AuthenticationHeaderValue? auth = null) =>
        ClientFor(sandbox.Describe("campaignmonitor").BaseUrls["api"], auth ?? Basic(CampaignMonitorOptions.DefaultApiKey, "x"));

    private static object Row(string email, string consent = "Yes", string? website = null) => new
    {
        EmailAddress = email,
        Name = "Test Person",
        CustomFields = website is null ? [] : new List<object> { new { Key = "website", Value = website } },
        ConsentToTrack = consent,
    };

    [Fact]
    public async Task An_api_key_as_basic_user_lists_clients_and_a_bad_or_missing_key_gets_its_code()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        using var wrong = Api(sandbox, Basic("wrong-key", "x"));
        using var anonymous = ClientFor(sandbox.Describe("campaignmonitor").BaseUrls["api"]);

        var clients = await (await api.GetAsync("clients.json")).JsonAsync();
        var lists = await (await api.GetAsync($"clients/{CampaignMonitorOptions.DefaultClientId}/lists.json")).JsonAsync();
        var bad = await wrong.GetAsync("systemdate.json");
        var missing = await anonymous.GetAsync("systemdate.json");

        Assert.Equal(CampaignMonitorOptions.DefaultClientId, clients[0].Str("ClientID"));
        Assert.Contains(lists.EnumerateArray(), l => l.Str("ListID") == Newsletter);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal(100, (await bad.JsonAsync()).Int("Code"));
        Assert.Equal("Invalid API Key", (await bad.JsonAsync()).Str("Message"));
        Assert.Equal(50, (await missing.JsonAsync()).Int("Code"));
    }

    [Fact]
    public async Task An_import_over_1000_subscribers_is_refused_with_code_209()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var response = await api.PostJsonAsync($"subscribers/{Newsletter}/import.json", new { Subscribers = Enumerable.Range(0, 1001).Select(i => Row($"u{i}@example.com")).ToList(), Resubscribe = false });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(209, (await response.JsonAsync()).Int("Code"));
        Assert.Null(sandbox.CampaignMonitor.InspectContact(Newsletter, "u0@example.com"));
    }

    [Fact]
    public async Task A_clean_import_of_1000_is_created_with_totals()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        var rows = Enumerable.Range(0, 999).Select(i => Row($"u{i}@example.com")).Append(Row("alice@example.com", website: "https://new.example")).ToList();

        var response = await api.PostJsonAsync($"subscribers/{Newsletter}/import.json", new { Subscribers = rows, Resubscribe = false });
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1000, body.Int("TotalUniqueEmailsSubmitted"));
        Assert.Equal(999, body.Int("TotalNewSubscribers"));
        Assert.Equal(1, body.Int("TotalExistingSubscribers"));
        Assert.Equal("https://new.example", sandbox.CampaignMonitor.InspectContact(Newsletter, "alice@example.com")!.Fields["website"]);
    }

    [Fact]
    public async Task A_partial_failure_is_a_400_with_code_210_and_result_data_and_the_good_rows_are_kept()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        var rows = new List<object> { Row("good@example.com"), Row("example+1@example"), Row("suppressed@example.com"), Row("noconsent@example.com", consent: ""), Row("good@example.com") };

        var response = await api.PostJsonAsync($"subscribers/{Newsletter}/import.json", new { Subscribers = rows, Resubscribe = false });
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(210, body.Int("Code"));
        var result = body.GetProperty("ResultData");
        Assert.Equal([1, 204, 214], result.GetProperty("FailureDetails").EnumerateArray().Select(f => f.Int("Code")));
        Assert.Equal("good@example.com", result.GetProperty("DuplicateEmailsInSubmission")[0].GetString());
        Assert.Equal(1, result.Int("TotalNewSubscribers"));
        Assert.Equal("Active", sandbox.CampaignMonitor.InspectContact(Newsletter, "good@example.com")!.Status);
    }

    [Fact]
    public async Task A_pre_existing_unsubscribed_contact_stays_unsubscribed_after_an_import_without_resubscribe()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var kept = await (await api.PostJsonAsync($"subscribers/{Newsletter}/import.json", new { Subscribers = new List<object> { Row("unsubscribed@example.com"), Row("deleted@example.com") }, Resubscribe = false })).JsonAsync();
        var unsubscribedState = sandbox.CampaignMonitor.InspectContact(Newsletter, "unsubscribed@example.com")!.Status;
        var resubscribed = await api.PostJsonAsync($"subscribers/{Newsletter}/import.json", new { Subscribers = new List<object> { Row("deleted@example.com") }, Resubscribe = true });

        Assert.Equal([206, 205], kept.GetProperty("ResultData").GetProperty("FailureDetails").EnumerateArray().Select(f => f.Int("Code")));
        Assert.Equal("Unsubscribed", unsubscribedState);
        Assert.Equal(HttpStatusCode.Created, resubscribed.StatusCode);
        Assert.Equal("Active", sandbox.CampaignMonitor.InspectContact(Newsletter, "deleted@example.com")!.Status);
    }

    [Fact]
    public async Task Unsubscribe_delete_and_the_active_listing_page_within_the_documented_page_sizes()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var unsubscribe = await api.PostJsonAsync($"subscribers/{Newsletter}/unsubscribe.json", new { EmailAddress = "alice@example.com" });
        var delete = await api.DeleteAsync($"subscribers/{Newsletter}.json?email=bob@example.com", Ct);
        var notInList = await api.PostJsonAsync($"subscribers/{Newsletter}/unsubscribe.json", new { EmailAddress = "nobody@example.com" });
        await api.PostJsonAsync($"subscribers/{Newsletter}/import.json", new { Subscribers = Enumerable.Range(0, 25).Select(i => Row($"p{i}@example.com")).ToList() });
        var page1 = await (await api.GetAsync($"lists/{Newsletter}/active.json?page=1&pagesize=10")).JsonAsync();
        var page3 = await (await api.GetAsync($"lists/{Newsletter}/active.json?page=3&pagesize=10")).JsonAsync();
        var badSize = await api.GetAsync($"lists/{Newsletter}/active.json?pagesize=5");

        Assert.Equal(HttpStatusCode.OK, unsubscribe.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(203, (await notInList.JsonAsync()).Int("Code"));
        Assert.Equal("Deleted", sandbox.CampaignMonitor.InspectContact(Newsletter, "bob@example.com")!.Status);
        Assert.Equal(25, page1.Int("TotalNumberOfRecords"));
        Assert.Equal(3, page1.Int("NumberOfPages"));
        Assert.Equal("p0@example.com", page1.GetProperty("Results")[0].Str("EmailAddress"));
        Assert.Equal(5, page3.Int("RecordsOnThisPage"));
        Assert.Equal(801, (await badSize.JsonAsync()).Int("Code"));
    }

    [Fact]
    public async Task OAuth_code_exchange_gives_14_day_tokens_and_expired_and_revoked_tokens_get_121_and_122()
    {
        var clock = new ShiftableClock();
        await using var sandbox = await StartAsync(o => o.TimeProvider = clock);
        var info = sandbox.Describe("campaignmonitor");
        var client = info.Credentials.First(c => c.Kind == "oauth_client");
        using var browser = ClientFor(sandbox.BaseAddress);
        var authorize = new Uri($"{info.BaseUrls["oauth_authorize"]}?type=web_server&client_id={client.Value}&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&scope=ImportSubscribers,ManageLists&state=q");

        var page = await browser.GetStringAsync(authorize, Ct);
        var allowed = await browser.PostAsync(authorize, new FormUrlEncodedContent(new Dictionary<string, string> { ["decision"] = "allow" }), Ct);
        var code = System.Web.HttpUtility.ParseQueryString(allowed.Headers.Location!.Query)["code"]!;
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["client_id"] = client.Value, ["client_secret"] = client.Secret!, ["redirect_uri"] = "http://localhost/cb", ["code"] = code };
        var tokens = await (await browser.PostAsync(info.BaseUrls["oauth_token"], new FormUrlEncodedContent(form), Ct)).JsonAsync();
        using var api = Api(sandbox, new AuthenticationHeaderValue("Bearer", tokens.Str("access_token")));
        var ok = await api.GetAsync("clients.json");
        clock.Shift(TimeSpan.FromDays(14) + TimeSpan.FromMinutes(1));
        var expired = await api.GetAsync("clients.json");
        var refreshed = await (await browser.PostAsync(info.BaseUrls["oauth_token"], new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.Str("refresh_token") }), Ct)).JsonAsync();
        sandbox.CampaignMonitor.Revoke(refreshed.Str("access_token"));
        using var revokedApi = Api(sandbox, new AuthenticationHeaderValue("Bearer", refreshed.Str("access_token")));
        var revoked = await revokedApi.GetAsync("clients.json");

        Assert.Contains(">Allow<", page, StringComparison.Ordinal);
        Assert.Equal(1209600, tokens.Int("expires_in"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(121, (await expired.JsonAsync()).Int("Code"));
        Assert.Equal(tokens.Str("refresh_token"), refreshed.Str("refresh_token"));
        Assert.Equal(122, (await revoked.JsonAsync()).Int("Code"));
    }

    [Fact]
    public async Task With_rotation_configured_an_old_refresh_token_is_refused()
    {
        await using var sandbox = await StartAsync(o => o.Configure<CampaignMonitorOptions>(c => c.RotateRefreshTokens = true));
        var tokens = sandbox.CampaignMonitor.IssueTokens();
        using var client = ClientFor(sandbox.BaseAddress);
        var tokenUrl = sandbox.Describe("campaignmonitor").BaseUrls["oauth_token"];
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken! };

        var first = await client.PostAsync(tokenUrl, new FormUrlEncodedContent(form), Ct);
        var replay = await client.PostAsync(tokenUrl, new FormUrlEncodedContent(form), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotEqual(tokens.RefreshToken, (await first.JsonAsync()).Str("refresh_token"));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await replay.JsonAsync()).Str("error"));
    }

    [Fact]
    public async Task Injected_429s_carry_the_platforms_body_and_retry_after()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        sandbox.CampaignMonitor.Faults.Configure(f => f.TooManyRequestsShare = 1);

        var response = await api.GetAsync("systemdate.json");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("Rate limit exceeded", (await response.JsonAsync()).Str("Message"));
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
    }
}
