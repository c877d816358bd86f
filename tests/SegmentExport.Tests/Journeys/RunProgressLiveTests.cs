using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Segments;

namespace SegmentExport.Tests.Journeys;

/// <summary>
/// The run page keeps up with a run by itself: while the run goes every count, the bar, the timeline and the rejected
/// rows change without a reload, and when it ends the status, the bar and the buttons switch to the finished state.
/// The sandbox answers slowly here (500 ms a request, 100 contacts a batch, one batch at a time) so the run of about 600 contacts takes a few seconds.
/// </summary>
[Collection(Journeys.Name)]
public sealed class RunProgressLiveTests(PostgresCluster postgres, JourneyBrowser browser)
{
    private const string Journey = "7-live-run";

    private static readonly string[] CountKeys = ["members", "to-send", "sent", "created", "updated", "unchanged", "skipped", "rejected", "removed", "retries"];

    [Fact]
    public async Task The_run_page_updates_every_count_while_the_run_goes_and_switches_to_finished_without_a_reload()
    {
        await using var app = JourneyApp.Start(postgres, "liverun", new Dictionary<string, string?>
        {
            ["Demo:SeedProfiles"] = "1500",
            // The engine's pages hold at least 100 contacts: one batch of 100 a page, one at a time, each a checkpoint the page can show.
            ["Destinations:Mailchimp:MaxBatchContacts"] = "100",
            ["Destinations:Mailchimp:MaxConcurrentRequests"] = "1",
            ["Destinations:Mailchimp:BatchesInFlight"] = "1",
            ["Sandbox:Mailchimp:Faults:Latency"] = "00:00:00.500",
        });
        await app.ExecuteAsync("""
            INSERT INTO profiles (external_id, email, first_name, last_name, attributes, created_at, updated_at) VALUES
              ('live-bad-1', 'no-at-sign.example.com', 'Nora', 'Noat', '{"tags": ["vip"]}', now(), now()),
              ('live-bad-2', 'broken@localhost', 'Bram', 'Broken', '{"tags": ["vip"]}', now(), now());
            """);
        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SegmentRefresher>().RefreshAllAsync(JourneyApp.Ct);
        }

        await app.Users.CreateUserAsync("ada@example.com", Roles.Administrator);
        var admin = await app.OpenAsync(browser, Journey, "admin", timeZone: "Europe/Oslo");
        await admin.SignInAsync("ada@example.com", TestApp.Password);
        var connection = await JourneySetup.ConnectSandboxMailchimpAsync(app, admin, "Newsletter (Mailchimp)");
        var export = await JourneySetup.CreateExportAsync(app, connection, "VIPs and high value", "VIP customers", "High value, opted in");

        await admin.GotoAsync($"/Data/Exports/Details/{export}");
        await admin.PressAsync("Run now");
        await admin.AtAsync("/Data/Exports/Run/\\d+$");
        var page = admin.Page;
        var run = long.Parse(page.Url.Split('/')[^1], CultureInfo.InvariantCulture);
        // A mark on this document: a reload would drop it.
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        // Mid-run: running, some contacts sent and created, more to go.
        await admin.StepAsync("The page shows the run part way, counts filled in", () => page.WaitForFunctionAsync("""
            () => {
                const n = key => Number(document.querySelector('[data-count="' + key + '"]').textContent.replace(/[^0-9]/g, ''));
                return document.querySelector('#run-status .badge').textContent === 'Running'
                    && n('to-send') > 0 && n('sent') > 0 && n('created') > 0 && n('sent') < n('members');
            }
            """, null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 50 }));
        var midway = await CountsAsync(page);
        var midwayText = await admin.TextAsync("#run-progress-text");
        await admin.ShotAsync("running");
        Assert.Contains("rows/s", midwayText, StringComparison.Ordinal);
        Assert.Contains("running for", midwayText, StringComparison.Ordinal);
        await admin.SeeAsync(page.Locator("#run-timeline"), "Started on");
        Assert.True(await page.Locator("#run-cancel").IsVisibleAsync(), "a running run offers Cancel run");

        // The end, still the same document: the finished status, every count as stored, the bar stopped, no Cancel.
        await admin.StepAsync("The status switches to finished", () =>
            Assertions.Expect(page.Locator("#run-status")).ToContainTextAsync("Succeeded with rejections", new() { Timeout = 60_000 }));
        await admin.SeeAsync(page.Locator("#run-timeline"), "Finished.");
        await admin.SeeAsync(page.Locator("#run-node"), " · on ");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the run page reloaded instead of updating itself");
        await admin.ShotAsync("finished");

        var stored = await app.StringsAsync($"""
            SELECT concat_ws(',', members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries) FROM export_runs WHERE id = {run}
            """);
        var expected = stored[0].Split(',').Select(long.Parse).ToList();
        var shown = await CountsAsync(page);
        for (var i = 0; i < CountKeys.Length; i++)
        {
            Assert.True(expected[i] == shown[CountKeys[i]], $"“{CountKeys[i]}” shows {shown[CountKeys[i]]}, the run stored {expected[i]}");
        }

        Assert.True(shown["sent"] > midway["sent"], $"sent went from {midway["sent"]} to {shown["sent"]} while the page watched");
        Assert.True(shown["created"] > midway["created"], $"created went from {midway["created"]} to {shown["created"]} while the page watched");
        Assert.True(shown["rejected"] >= 2, $"rejected shows {shown["rejected"]}, at least the two bad emails expected");
        Assert.Equal("100", await page.Locator("#run-progress").GetAttributeAsync("aria-valuenow"));
        Assert.DoesNotContain("progress-bar-animated", await page.Locator("#run-progress-bar").GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#run-cancel").CountAsync());
        var finalText = await admin.TextAsync("#run-progress-text");
        Assert.Contains("took ", finalText, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0.0 rows/s", finalText, StringComparison.Ordinal);

        // The rows the platform refused arrived while the page watched, with their reasons, and the reason filter offers their code.
        foreach (var email in new[] { "no-at-sign.example.com", "broken@localhost" })
        {
            await admin.SeeAsync(page.Locator("#run-rows-body tr", new() { HasText = email }), "Rejected");
        }

        Assert.True(await page.Locator("#rows-code option").CountAsync() > 1, "the reason filter lists the rejected rows' codes");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the run page reloaded instead of updating itself");
    }

    private static async Task<Dictionary<string, long>> CountsAsync(IPage page)
    {
        var json = await page.EvaluateAsync<JsonElement>("""
            () => Object.fromEntries([...document.querySelectorAll('[data-count]')].map(el => [el.dataset.count, el.textContent.replace(/[^0-9]/g, '')]))
            """);
        return CountKeys.ToDictionary(k => k, k => long.Parse(json.GetProperty(k).GetString()!, CultureInfo.InvariantCulture));
    }
}
