using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SegmentExport.Emulators;
using SegmentExport.Emulators.Mailchimp;
using static SegmentExport.Tests.Emulators.EmulatorTestKit;

namespace SegmentExport.Tests.Emulators;

public sealed class MailchimpEmulatorTests
{
    private const string List = MailchimpOptions.NewsletterListId;

    private static HttpClient Api(SandboxEmulators sandbox, string key = MailchimpOptions.DefaultApiKey) =>
        ClientFor(sandbox.Describe("mailchimp").BaseUrls["api"], Basic("anystring", key));

    private static object Member(string email, string status = "subscribed", object? mergeFields = null) =>
        new { email_address = email, status, merge_fields = mergeFields ?? new { FNAME = "Test" } };

    [Fact]
    public async Task Api_key_basic_auth_answers_ping_and_the_account_root()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var ping = await api.GetAsync("ping");
        var root = await api.GetAsync("");

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal("Everything's Chimpy!", (await ping.JsonAsync()).Str("health_status"));
        Assert.Equal("SegmentExport Sandbox", (await root.JsonAsync()).Str("account_name"));
    }

    [Fact]
    public async Task A_missing_or_wrong_key_gets_a_401_problem_document()
    {
        await using var sandbox = await StartAsync();
        using var anonymous = ClientFor(sandbox.Describe("mailchimp").BaseUrls["api"]);
        using var wrong = Api(sandbox, "00000000000000000000000000000000-us21");

        var missing = await anonymous.GetAsync("ping");
        var invalid = await wrong.GetAsync("ping");

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        Assert.Equal("API Key Missing", (await missing.JsonAsync()).Str("title"));
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        var problem = await invalid.JsonAsync();
        Assert.Equal("API Key Invalid", problem.Str("title"));
        Assert.Equal(401, problem.Int("status"));
        Assert.True(invalid.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task A_key_used_on_another_data_center_is_refused()
    {
        await using var sandbox = await StartAsync();
        using var api = ClientFor(new Uri(sandbox.BaseAddress, "mailchimp/us3/3.0/"), Basic("x", MailchimpOptions.DefaultApiKey));

        var response = await api.GetAsync("ping");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Wrong Datacenter", (await response.JsonAsync()).Str("title"));
    }

    [Fact]
    public async Task Lists_are_paged_with_count_and_offset_and_an_unknown_list_is_404()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var first = await (await api.GetAsync("lists?count=1")).JsonAsync();
        var second = await (await api.GetAsync("lists?count=1&offset=1")).JsonAsync();
        var unknown = await api.GetAsync("lists/nope");

        Assert.Equal(2, first.Int("total_items"));
        Assert.Equal(List, first.GetProperty("lists")[0].Str("id"));
        Assert.Equal(MailchimpOptions.CustomersListId, second.GetProperty("lists")[0].Str("id"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("Resource Not Found", (await unknown.JsonAsync()).Str("title"));
    }

    [Fact]
    public async Task Batch_subscribe_over_500_members_is_refused_with_the_platforms_error()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        var members = Enumerable.Range(0, 501).Select(i => Member($"user{i}@example.com")).ToArray();

        var response = await api.PostJsonAsync($"lists/{List}", new { members, update_existing = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid Resource", (await response.JsonAsync()).Str("title"));
        Assert.Null(sandbox.Mailchimp.InspectContact(List, "user0@example.com"));
    }

    [Fact]
    public async Task Batch_subscribe_of_500_creates_and_updates_and_reports_bad_emails_in_a_200()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        var members = Enumerable.Range(0, 498).Select(i => Member($"user{i}@example.com"))
            .Append(Member("alice@example.com", mergeFields: new { FNAME = "Alicia" }))
            .Append(Member("not-an-email"))
            .ToArray();

        var response = await api.PostJsonAsync($"lists/{List}", new { members, update_existing = true });
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(498, body.Int("total_created"));
        Assert.Equal(1, body.Int("total_updated"));
        Assert.Equal(1, body.Int("error_count"));
        Assert.Equal("ERROR_GENERIC", body.GetProperty("errors")[0].Str("error_code"));
        Assert.Equal("Alicia", sandbox.Mailchimp.InspectContact(List, "alice@example.com")!.Fields["FNAME"]);
        Assert.Equal(MemberStatusHash("user7@example.com"), body.GetProperty("new_members")[7].Str("id"));
    }

    [Fact]
    public async Task An_existing_member_without_update_existing_is_an_ERROR_CONTACT_EXISTS()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var body = await (await api.PostJsonAsync($"lists/{List}", new { members = new[] { Member("bob@example.com") }, update_existing = false })).JsonAsync();

        Assert.Equal("ERROR_CONTACT_EXISTS", body.GetProperty("errors")[0].Str("error_code"));
    }

    [Fact]
    public async Task A_pre_existing_unsubscribed_contact_stays_unsubscribed_after_an_upsert()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var batch = await (await api.PostJsonAsync($"lists/{List}", new { members = new[] { Member("unsubscribed@example.com"), Member("cleaned@example.com") }, update_existing = true })).JsonAsync();
        var put = await api.PutJsonAsync($"lists/{List}/members/{MemberStatusHash("unsubscribed@example.com")}", new { email_address = "unsubscribed@example.com", status_if_new = "subscribed", status = "subscribed" });

        Assert.Equal(2, batch.Int("error_count"));
        Assert.Contains("compliance state", batch.GetProperty("errors")[0].Str("error"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("Member In Compliance State", (await put.JsonAsync()).Str("title"));
        Assert.Equal("unsubscribed", sandbox.Mailchimp.InspectContact(List, "unsubscribed@example.com")!.Status);
        Assert.Equal("cleaned", sandbox.Mailchimp.InspectContact(List, "cleaned@example.com")!.Status);
    }

    private static string[] Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task Batch_subscribe_with_fields_answers_only_those_parts_of_each_member()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        var members = new[] { Member("new1@example.com"), Member("bob@example.com"), Member("not-an-email") };

        var response = await api.PostJsonAsync(
            $"lists/{List}?fields=new_members.email_address,new_members.status,updated_members.email_address,updated_members.status,errors,total_created,total_updated,error_count",
            new { members, update_existing = true });
        var answer = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["new_members", "updated_members", "errors", "total_created", "total_updated", "error_count"], Names(answer));
        Assert.Equal(["email_address", "status"], Names(answer.GetProperty("new_members")[0]));
        Assert.Equal(("new1@example.com", "subscribed"), (answer.GetProperty("new_members")[0].Str("email_address"), answer.GetProperty("new_members")[0].Str("status")));
        Assert.Equal(["email_address", "status"], Names(answer.GetProperty("updated_members")[0]));
        Assert.Equal("bob@example.com", answer.GetProperty("updated_members")[0].Str("email_address"));
        Assert.Equal("not-an-email", answer.GetProperty("errors")[0].Str("email_address"));
        Assert.Contains("error_code", Names(answer.GetProperty("errors")[0]));
        Assert.Equal((1, 1, 1), (answer.Int("total_created"), answer.Int("total_updated"), answer.Int("error_count")));
        Assert.Equal("subscribed", sandbox.Mailchimp.InspectContact(List, "new1@example.com")!.Status);
    }

    [Fact]
    public async Task A_member_written_for_a_partial_answer_is_the_full_member_filtered()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        const string Kept = "id,email_address,unique_email_id,contact_id,status,list_id";

        var batch = await (await api.PostJsonAsync($"lists/{List}?fields=" + string.Join(',', Kept.Split(',').Select(f => "new_members." + f)),
            new { members = new[] { Member("Mixed.Case@example.com") } })).JsonAsync();
        var member = await (await api.GetAsync($"lists/{List}/members/{MemberStatusHash("mixed.case@example.com")}?fields={Kept}")).JsonAsync();

        Assert.Equal(Kept.Split(','), Names(member));
        Assert.Equal(member.GetRawText(), batch.GetProperty("new_members")[0].GetRawText());
    }

    [Fact]
    public async Task Exclude_fields_drops_paths_through_arrays_and_both_parameters_at_once_are_refused()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var lists = await (await api.GetAsync("lists?exclude_fields=lists.stats,_links")).JsonAsync();
        var both = await api.GetAsync("lists?fields=lists.id&exclude_fields=lists.stats");

        Assert.DoesNotContain("_links", Names(lists));
        Assert.Contains("total_items", Names(lists));
        Assert.All(lists.GetProperty("lists").EnumerateArray(), l => Assert.DoesNotContain("stats", Names(l)));
        Assert.All(lists.GetProperty("lists").EnumerateArray(), l => Assert.Contains("id", Names(l)));
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Contains("mutually exclusive", (await both.JsonAsync()).Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_required_merge_field_fails_new_members_unless_merge_validation_is_skipped()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        var members = new[] { Member("new@example.com") };

        var strict = await (await api.PostJsonAsync($"lists/{MailchimpOptions.CustomersListId}", new { members })).JsonAsync();
        var skipped = await (await api.PostJsonAsync($"lists/{MailchimpOptions.CustomersListId}?skip_merge_validation=true", new { members })).JsonAsync();

        Assert.Equal("COMPANY", strict.GetProperty("errors")[0].Str("field"));
        Assert.Equal(1, skipped.Int("total_created"));
    }

    [Fact]
    public async Task An_archived_member_can_be_re_added_but_a_permanently_deleted_one_cannot()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var archive = await api.DeleteAsync($"lists/{List}/members/{MemberStatusHash("bob@example.com")}", Ct);
        var delete = await api.PostAsync($"lists/{List}/members/{MemberStatusHash("alice@example.com")}/actions/delete-permanent", null, Ct);
        var readd = await (await api.PostJsonAsync($"lists/{List}", new { members = new[] { Member("bob@example.com"), Member("alice@example.com") }, update_existing = true })).JsonAsync();

        Assert.Equal(HttpStatusCode.NoContent, archive.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal("bob@example.com", readd.GetProperty("new_members")[0].Str("email_address"));
        Assert.Contains("permanently deleted", readd.GetProperty("errors")[0].Str("error"), StringComparison.Ordinal);
        Assert.Equal("subscribed", sandbox.Mailchimp.InspectContact(List, "bob@example.com")!.Status);
    }

    [Fact]
    public async Task Merge_fields_are_listed_and_created_and_a_duplicate_tag_is_refused()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var created = await api.PostJsonAsync($"lists/{List}/merge-fields", new { name = "Loyalty Tier", type = "text", tag = "TIER" });
        var duplicate = await api.PostJsonAsync($"lists/{List}/merge-fields", new { name = "Tier again", type = "text", tag = "TIER" });
        var fields = await (await api.GetAsync($"lists/{List}/merge-fields?count=100")).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Contains(fields.GetProperty("merge_fields").EnumerateArray(), f => f.Str("tag") == "TIER");
    }

    [Fact]
    public async Task Tags_are_added_by_member_and_removed_through_a_static_segment()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        var bob = MemberStatusHash("bob@example.com");

        var tagged = await api.PostJsonAsync($"lists/{List}/members/{bob}/tags", new { tags = new[] { new { name = "Gold", status = "active" } } });
        var segments = await (await api.GetAsync($"lists/{List}/segments")).JsonAsync();
        var gold = segments.GetProperty("segments").EnumerateArray().Single(s => s.Str("name") == "Gold").Int("id");
        var removed = await (await api.PostJsonAsync($"lists/{List}/segments/{gold}", new { members_to_remove = new List<string> { "bob@example.com" }, members_to_add = new List<string> { "alice@example.com", "stranger@example.com" } })).JsonAsync();
        var tooMany = await api.PostJsonAsync($"lists/{List}/segments/{gold}", new { members_to_add = Enumerable.Range(0, 501).Select(i => $"u{i}@example.com") });

        Assert.Equal(HttpStatusCode.NoContent, tagged.StatusCode);
        Assert.Equal(1, removed.Int("total_removed"));
        Assert.Equal(1, removed.Int("total_added"));
        Assert.Equal(1, removed.Int("error_count"));
        Assert.DoesNotContain("Gold", sandbox.Mailchimp.InspectContact(List, "bob@example.com")!.Tags);
        Assert.Contains("Gold", sandbox.Mailchimp.InspectContact(List, "alice@example.com")!.Tags);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task More_than_10_requests_in_flight_for_one_key_get_429_and_none_when_rate_limits_are_off()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        sandbox.Mailchimp.Faults.Configure(f => f.Latency = TimeSpan.FromMilliseconds(700));

        var limited = await Task.WhenAll(Enumerable.Range(0, 14).Select(_ => api.GetAsync("ping")));
        sandbox.Mailchimp.Faults.Configure(f => f.RateLimitsEnabled = false);
        var unlimited = await Task.WhenAll(Enumerable.Range(0, 14).Select(_ => api.GetAsync("ping")));

        Assert.Equal(10, limited.Count(r => r.StatusCode == HttpStatusCode.OK));
        var tooMany = limited.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("Too Many Requests", (await tooMany.JsonAsync()).Str("title"));
        Assert.All(unlimited, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task OAuth_consent_code_exchange_and_metadata_give_a_token_for_the_data_center()
    {
        await using var sandbox = await StartAsync();
        var info = sandbox.Describe("mailchimp");
        var client = info.Credentials.First(c => c.Kind == "oauth_client");
        using var browser = ClientFor(sandbox.BaseAddress);
        var authorize = $"{info.BaseUrls["oauth_authorize"]}?response_type=code&client_id={client.Value}&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&state=xyz";

        var page = await browser.GetStringAsync(new Uri(authorize), Ct);
        var allowed = await browser.PostAsync(new Uri(authorize), new FormUrlEncodedContent(new Dictionary<string, string> { ["decision"] = "allow" }), Ct);
        var redirect = allowed.Headers.Location!;
        var code = System.Web.HttpUtility.ParseQueryString(redirect.Query)["code"]!;
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["client_id"] = client.Value, ["client_secret"] = client.Secret!, ["redirect_uri"] = "http://localhost/cb", ["code"] = code };
        var token = await (await browser.PostAsync(info.BaseUrls["oauth_token"], new FormUrlEncodedContent(form), Ct)).JsonAsync();
        var reuse = await browser.PostAsync(info.BaseUrls["oauth_token"], new FormUrlEncodedContent(form), Ct);
        using var metadataRequest = new HttpRequestMessage(HttpMethod.Get, info.BaseUrls["oauth_metadata"]);
        metadataRequest.Headers.TryAddWithoutValidation("Authorization", "OAuth " + token.Str("access_token"));
        var metadata = await (await browser.SendAsync(metadataRequest, Ct)).JsonAsync();
        using var api = ClientFor(new Uri(metadata.Str("api_endpoint") + "/3.0/"), new("Bearer", token.Str("access_token")));
        var ping = await api.GetAsync("ping");

        Assert.Contains(">Allow<", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
        Assert.StartsWith("http://localhost/cb?code=", redirect.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, token.Int("expires_in"));
        Assert.Equal(HttpStatusCode.BadRequest, reuse.StatusCode);
        Assert.Equal("invalid_grant", (await reuse.JsonAsync()).Str("error"));
        Assert.Equal("us21", metadata.Str("dc"));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_from_then_on()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox, MailchimpOptions.SecondApiKey);
        using var control = ClientFor(sandbox.BaseAddress);

        var before = await api.GetAsync("ping");
        var revoke = await control.PostJsonAsync("_emulator/mailchimp/revoke", new { credential = MailchimpOptions.SecondApiKey });
        var after = await api.GetAsync("ping");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    // Not security: subscriber_hash is MD5 of the lower-cased email by Mailchimp's definition (provider-apis 1.3A).
#pragma warning disable CA5351
    private static string MemberStatusHash(string email) =>
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(email.ToLowerInvariant())));
#pragma warning restore CA5351
}
