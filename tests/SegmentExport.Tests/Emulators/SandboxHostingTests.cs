using System.Net;
using SegmentExport.Emulators;
using SegmentExport.Emulators.ActiveCampaign;
using SegmentExport.Emulators.Mailchimp;
using static SegmentExport.Tests.Emulators.EmulatorTestKit;

namespace SegmentExport.Tests.Emulators;

public sealed class SandboxHostingTests
{
    private static HttpClient Mailchimp(SandboxEmulators sandbox) =>
        ClientFor(sandbox.Describe("mailchimp").BaseUrls["api"], Basic("x", MailchimpOptions.DefaultApiKey));

    [Fact]
    public async Task The_root_page_lists_every_platform_with_its_keys_and_list_ids()
    {
        await using var sandbox = await StartAsync();
        using var browser = ClientFor(sandbox.BaseAddress);

        var response = await browser.GetAsync("");
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        foreach (var platform in sandbox.Platforms)
        {
            var info = sandbox.Describe(platform.Name);
            Assert.Contains(info.DisplayName, html, StringComparison.Ordinal);
            Assert.All(info.Credentials, c => Assert.Contains(c.Value, html, StringComparison.Ordinal));
            Assert.All(info.Lists, l => Assert.Contains(l.Id, html, StringComparison.Ordinal));
            Assert.Contains(info.BaseUrls["api"].ToString(), html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_discovery_document_gives_every_base_url_under_the_sandbox_address()
    {
        await using var sandbox = await StartAsync();
        using var control = ClientFor(sandbox.BaseAddress);

        var body = await (await control.GetAsync("_emulator")).JsonAsync();

        var platforms = body.GetProperty("platforms").EnumerateArray().ToList();
        Assert.Equal(["mailchimp", "activecampaign", "constantcontact", "campaignmonitor"], platforms.Select(p => p.Str("name")));
        Assert.All(platforms, p => Assert.StartsWith(sandbox.BaseAddress.ToString(), p.GetProperty("baseUrls").Str("api"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fault_injection_switches_500s_on_and_off_through_the_control_endpoint()
    {
        await using var sandbox = await StartAsync();
        using var api = Mailchimp(sandbox);
        using var control = ClientFor(sandbox.BaseAddress);

        var on = await control.PutJsonAsync("_emulator/mailchimp/faults", new { InternalServerErrorShare = 1.0 });
        var failing = await api.GetAsync("ping");
        var off = await control.PostAsync(new Uri("_emulator/mailchimp/faults/reset", UriKind.Relative), null, Ct);
        var healthy = await api.GetAsync("ping");

        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        Assert.Equal("application/problem+json", failing.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_sequence_of_faults()
    {
        await using var sandbox = await StartAsync(o => o.Settings["Sandbox:ActiveCampaign:Faults:RateLimitsEnabled"] = "false");
        using var api = ClientFor(sandbox.Describe("activecampaign").BaseUrls["api"]);
        api.DefaultRequestHeaders.Add("Api-Token", ActiveCampaignOptions.DefaultApiToken);

        async Task<List<HttpStatusCode>> RunAsync()
        {
            sandbox.ActiveCampaign.Faults.Configure(f =>
            {
                f.Seed = 42;
                f.ServiceUnavailableShare = 0.3;
                f.TooManyRequestsShare = 0.2;
            });
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 30; i++)
            {
                statuses.Add((await api.GetAsync("users/me")).StatusCode);
            }

            return statuses;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, first);
        Assert.Contains(HttpStatusCode.TooManyRequests, first);
        Assert.Contains(HttpStatusCode.OK, first);
    }

    [Fact]
    public async Task A_dropped_connection_fails_the_request_without_a_response()
    {
        await using var sandbox = await StartAsync();
        using var api = Mailchimp(sandbox);
        sandbox.Mailchimp.Faults.Configure(f => f.DropConnectionShare = 1);

        await Assert.ThrowsAsync<HttpRequestException>(() => api.GetAsync("ping"));
    }

    [Fact]
    public async Task A_timeout_fault_hangs_until_the_client_gives_up()
    {
        await using var sandbox = await StartAsync();
        using var api = Mailchimp(sandbox);
        api.Timeout = TimeSpan.FromMilliseconds(500);
        sandbox.Mailchimp.Faults.Configure(f => f.TimeoutShare = 1);

        await Assert.ThrowsAsync<TaskCanceledException>(() => api.GetAsync("ping"));
    }

    [Fact]
    public async Task Latency_per_items_slows_a_batch_in_proportion_to_its_size()
    {
        await using var sandbox = await StartAsync();
        using var api = Mailchimp(sandbox);
        sandbox.Mailchimp.Faults.Configure(f =>
        {
            f.LatencyPerItems = TimeSpan.FromMilliseconds(400);
            f.LatencyItems = 100;
        });
        var members = Enumerable.Range(0, 300).Select(i => new { email_address = $"l{i}@example.com", status = "subscribed" }).ToList();

        var started = DateTime.UtcNow;
        var response = await api.PostJsonAsync($"lists/{MailchimpOptions.NewsletterListId}", new { members });
        var took = DateTime.UtcNow - started;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(took >= TimeSpan.FromMilliseconds(1100), $"took {took}");
    }

    [Fact]
    public async Task The_request_log_and_inspection_show_what_was_received_and_what_the_list_holds()
    {
        await using var sandbox = await StartAsync();
        using var api = Mailchimp(sandbox);
        using var control = ClientFor(sandbox.BaseAddress);

        await api.PostJsonAsync($"lists/{MailchimpOptions.NewsletterListId}", new { members = new List<object> { new { email_address = "logged@example.com", status = "subscribed", merge_fields = new { FNAME = "Lou" } } } });
        var log = await Eventually(async () => await (await control.GetAsync("_emulator/requests?platform=mailchimp")).JsonAsync(), l => l.GetArrayLength() > 0);
        var contacts = await (await control.GetAsync($"_emulator/mailchimp/lists/{MailchimpOptions.NewsletterListId}/contacts?limit=1000")).JsonAsync();
        var lists = await (await control.GetAsync("_emulator/mailchimp/lists")).JsonAsync();

        var entry = log[0];
        Assert.Equal("POST", entry.Str("method"));
        Assert.Equal(200, entry.Int("status"));
        Assert.Equal(1, entry.Int("items"));
        var lou = contacts.GetProperty("contacts").EnumerateArray().Single(c => c.Str("email") == "logged@example.com");
        Assert.Equal("subscribed", lou.Str("status"));
        Assert.Equal("Lou", lou.GetProperty("fields").Str("FNAME"));
        Assert.Equal(1, lists[0].GetProperty("countsByStatus").Int("unsubscribed"));
    }

    [Fact]
    public async Task Invalid_options_stop_the_sandbox_from_starting_with_a_message_naming_the_property()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            StartAsync(o => o.Configure<MailchimpOptions>(m => m.MaxConcurrentRequests = 0)));

        Assert.Contains("MaxConcurrentRequests", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sink_reads_a_body_to_its_end_and_the_request_count_includes_throttled_answers()
    {
        // The benchmark's raw pipeline posts to the sink; its request counts come from /_emulator/requests/count.
        await using var sandbox = await StartAsync(o => o.Configure<MailchimpOptions>(m => m.Faults.TooManyRequestsShare = 1.0));
        using var control = ClientFor(sandbox.BaseAddress);
        using var api = Mailchimp(sandbox);

        using var body = new ByteArrayContent(new byte[3_000_000]);
        var sunk = await (await control.PostAsync(new Uri("_emulator/sink", UriKind.Relative), body, Ct)).JsonAsync();
        var throttled = await api.GetAsync("ping");
        var counts = await (await control.GetAsync("_emulator/requests/count")).JsonAsync();

        Assert.Equal(3_000_000, sunk.GetProperty("bytes").GetInt64());
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(1, counts.GetProperty("requests").GetInt64());
        Assert.Equal(1, counts.GetProperty("throttled").GetInt64());
    }

    [Fact]
    public async Task The_background_count_shows_an_import_being_processed_and_falls_to_zero_when_it_is_done()
    {
        // The benchmark's raw pipeline into a platform waits on this count for asynchronous imports to be processed.
        await using var sandbox = await StartAsync(o => o.Configure<ActiveCampaignOptions>(a =>
        {
            a.ImportStatusFalseFor = TimeSpan.Zero;
            a.ImportWaiting = a.ImportClaimed = a.ImportActive = TimeSpan.FromMilliseconds(300);
        }));
        using var control = ClientFor(sandbox.BaseAddress);
        using var api = ClientFor(sandbox.Describe("activecampaign").BaseUrls["api"]);
        api.DefaultRequestHeaders.Add("Api-Token", ActiveCampaignOptions.DefaultApiToken);

        var idle = await (await control.GetAsync("_emulator/background")).JsonAsync();
        var queued = await (await api.PostJsonAsync("import/bulk_import", new { contacts = new[] { new { email = "bg@example.com", subscribe = new[] { new { listid = 1 } } } } })).JsonAsync();
        var busy = await (await control.GetAsync("_emulator/background")).JsonAsync();
        await Eventually(async () => await (await control.GetAsync("_emulator/background")).JsonAsync(), b => b.Int("running") == 0);
        var status = await (await api.GetAsync($"import/info?batchId={queued.Str("batchId")}")).JsonAsync();

        Assert.Equal(0, idle.Int("running"));
        Assert.Equal(1, busy.Int("running"));
        Assert.Equal("completed", status.Str("status"));
        Assert.NotNull(sandbox.ActiveCampaign.InspectContact("1", "bg@example.com"));
    }
}
