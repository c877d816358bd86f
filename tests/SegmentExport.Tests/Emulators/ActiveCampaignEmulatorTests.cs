using System.Net;
using System.Text;
using SegmentExport.Emulators;
using SegmentExport.Emulators.ActiveCampaign;
using static SegmentExport.Tests.Emulators.EmulatorTestKit;

namespace SegmentExport.Tests.Emulators;

public sealed class ActiveCampaignEmulatorTests
{
    private static HttpClient Api(SandboxEmulators sandbox, string token = ActiveCampaignOptions.DefaultApiToken)
    {
        var client = ClientFor(sandbox.Describe("activecampaign").BaseUrls["api"]);
        client.DefaultRequestHeaders.Add("Api-Token", token);
        return client;
    }

    /// <summary>Quick state changes and no 5 rps limit, for tests that are about something else.</summary>
    private static void Quick(SandboxStartOptions options, bool rateLimits = true)
    {
        options.Configure<ActiveCampaignOptions>(o =>
        {
            o.ImportStatusFalseFor = TimeSpan.FromMilliseconds(100);
            o.ImportWaiting = o.ImportClaimed = o.ImportActive = TimeSpan.FromMilliseconds(100);
            o.RequestsPerSecond = rateLimits ? 1000 : o.RequestsPerSecond;
        });
    }

    private static object Contact(string email, params int[] subscribe) =>
        new { email, first_name = "Test", subscribe = subscribe.Select(id => new { listid = id }).ToList() };

    [Fact]
    public async Task The_api_token_header_opens_users_me_and_a_wrong_token_is_forbidden()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        using var wrong = Api(sandbox, "wrong");

        var me = await api.GetAsync("users/me");
        var refused = await wrong.GetAsync("users/me");

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("sandbox-admin", (await me.JsonAsync()).GetProperty("user").Str("username"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Forbidden", (await refused.JsonAsync()).Str("message"));
    }

    [Fact]
    public async Task Lists_are_paged_and_an_unknown_list_gives_the_no_result_message()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var page = await (await api.GetAsync("lists?limit=1&offset=1")).JsonAsync();
        var unknown = await api.GetAsync("lists/7");

        Assert.Equal("2", page.GetProperty("meta").Str("total"));
        Assert.Equal("Sandbox Customers", page.GetProperty("lists")[0].Str("name"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("No Result found for _List with id 7", (await unknown.JsonAsync()).Str("message"));
    }

    [Fact]
    public async Task Bulk_import_over_250_contacts_is_refused_whole_with_failure_reasons()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var response = await api.PostJsonAsync("import/bulk_import", new { contacts = Enumerable.Range(0, 251).Select(i => Contact($"u{i}@example.com", 1)).ToList() });
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, body.Int("success"));
        Assert.Contains("not queued", body.Str("message"), StringComparison.Ordinal);
        Assert.Equal(1, body.GetProperty("failureReasons").GetArrayLength());
    }

    [Fact]
    public async Task Bulk_import_over_400000_bytes_is_refused_even_without_a_content_length()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);
        var filler = new string('x', 2000);
        var json = System.Text.Json.JsonSerializer.Serialize(new { contacts = Enumerable.Range(0, 210).Select(i => new { email = $"u{i}@example.com", first_name = filler }).ToList() });

        var response = await api.PostAsync("import/bulk_import", new PushStreamContent(json), Ct);
        var body = await response.JsonAsync();

        Assert.True(json.Length > 400_000);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("400000 bytes", body.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_email_rejects_the_whole_import_and_nothing_is_queued()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var response = await api.PostJsonAsync("import/bulk_import", new { contacts = new[] { Contact("good@example.com", 1), Contact("no-at-sign", 1) } });
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, body.GetProperty("failureReasons")[0].Int("contact"));
        Assert.Equal("Field 'email' incorrect format", body.GetProperty("failureReasons")[0].Str("failureReason"));
        Assert.Null(sandbox.ActiveCampaign.InspectContact("1", "good@example.com"));
    }

    [Fact]
    public async Task An_import_moves_from_false_through_waiting_claimed_active_to_completed_with_ids_and_failed_emails()
    {
        await using var sandbox = await StartAsync(o => o.Configure<ActiveCampaignOptions>(a =>
        {
            a.ImportStatusFalseFor = TimeSpan.FromMilliseconds(300);
            a.ImportWaiting = a.ImportClaimed = a.ImportActive = TimeSpan.FromMilliseconds(400);
            a.RequestsPerSecond = 1000;
        }));
        using var api = Api(sandbox);
        var contacts = new[] { Contact("new@example.com", 1), Contact("invalid.email@invalidDomain", 1), Contact("excluded@example.com", 1) };

        var queued = await (await api.PostJsonAsync("import/bulk_import", new { contacts })).JsonAsync();
        var batchId = queued.Str("batchId");
        var seen = new List<string>();
        var done = await Eventually(
            async () =>
            {
                var info = await (await api.GetAsync($"import/info?batchId={batchId}")).JsonAsync();
                var status = info.Str("status");
                if (seen.Count == 0 || seen[^1] != status)
                {
                    seen.Add(status);
                }

                return info;
            },
            info => info.Str("status") == "completed");

        Assert.Equal(1, queued.Int("Success"));
        Assert.Equal(3, queued.Int("queued_contacts"));
        Assert.Equal(["False", "waiting", "claimed", "active", "completed"], seen);
        var id = Assert.Single(done.GetProperty("success").EnumerateArray()).GetString();
        Assert.Equal(sandbox.ActiveCampaign.InspectContact("1", "new@example.com")!.Id, id);
        Assert.Equal(["invalid.email@invalidDomain", "excluded@example.com"], done.GetProperty("failure").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_pre_existing_unsubscribed_contact_stays_unsubscribed_after_an_import()
    {
        await using var sandbox = await StartAsync(o => Quick(o));
        using var api = Api(sandbox);

        var queued = await (await api.PostJsonAsync("import/bulk_import", new { contacts = new[] { Contact("unsubscribed@example.com", 1, 2) } })).JsonAsync();
        await Eventually(async () => await (await api.GetAsync($"import/info?batchId={queued.Str("batchId")}")).JsonAsync(), i => i.Str("status") == "completed");

        Assert.Equal("unsubscribed", sandbox.ActiveCampaign.InspectContact("1", "unsubscribed@example.com")!.Status);
        Assert.Equal("active", sandbox.ActiveCampaign.InspectContact("2", "unsubscribed@example.com")!.Status);
        Assert.Equal("Test", sandbox.ActiveCampaign.InspectContact("1", "unsubscribed@example.com")!.Fields["first_name"]);
    }

    [Fact]
    public async Task More_than_5_requests_in_a_second_get_429_with_retry_after()
    {
        await using var sandbox = await StartAsync();
        using var api = Api(sandbox);

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            responses.Add(await api.GetAsync("users/me"));
        }

        Assert.All(responses.Take(5), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, responses[5].StatusCode);
        Assert.True(responses[5].Headers.RetryAfter!.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("5", responses[0].Headers.GetValues("RateLimit-Limit").Single());
    }

    [Fact]
    public async Task The_101st_bulk_import_in_a_minute_gets_429_with_the_rate_limit_body()
    {
        await using var sandbox = await StartAsync(o => Quick(o));
        using var api = Api(sandbox);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 101; i++)
        {
            last = await api.PostJsonAsync("import/bulk_import", new { contacts = new[] { Contact($"u{i}@example.com", 1) } });
            statuses.Add(last.StatusCode);
        }

        var body = await last.JsonAsync();
        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.Equal("Rate limit exceeded.", body.Str("message"));
        Assert.NotNull(last.Headers.RetryAfter);
    }

    [Fact]
    public async Task Contacts_are_found_by_email_and_contact_lists_unsubscribe_them()
    {
        await using var sandbox = await StartAsync(o => Quick(o));
        using var api = Api(sandbox);

        var found = await (await api.GetAsync("contacts?email=bob@example.com")).JsonAsync();
        var id = found.GetProperty("contacts")[0].Str("id");
        var unsubscribe = await api.PostJsonAsync("contactLists", new { contactList = new { list = 1, contact = int.Parse(id, System.Globalization.CultureInfo.InvariantCulture), status = 2 } });
        var missing = await api.GetAsync("contacts/999999");

        Assert.Equal(HttpStatusCode.Created, unsubscribe.StatusCode);
        Assert.Equal("unsubscribed", sandbox.ActiveCampaign.InspectContact("1", "bob@example.com")!.Status);
        Assert.Equal("No result found for contact with id 999999", (await missing.JsonAsync()).Str("message"));
    }

    /// <summary>Chunked content: no Content-Length, so the cap must be enforced while reading.</summary>
    private sealed class PushStreamContent(string json) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            await stream.WriteAsync(Encoding.UTF8.GetBytes(json));

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
