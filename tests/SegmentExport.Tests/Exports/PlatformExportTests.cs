using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Destinations;
using SegmentExport.Destinations.ActiveCampaign;
using SegmentExport.Destinations.CampaignMonitor;
using SegmentExport.Destinations.ConstantContact;
using SegmentExport.Destinations.Mailchimp;
using SegmentExport.Emulators;
using SegmentExport.Emulators.ActiveCampaign;
using SegmentExport.Emulators.CampaignMonitor;
using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.ConstantContact;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Tests.Destinations;
using SegmentExport.Tests.Infrastructure;
using SegmentExport.Web.Exports;

namespace SegmentExport.Tests.Exports;

/// <summary>
/// The export engine against each platform's emulator over real HTTP and a real database. A subclass says how to
/// reach its platform and how that platform shows a contact; what a run must do is the same for all four.
/// Batches are made small (100 contacts, one request at a time) so a few hundred members span several pages.
/// </summary>
public abstract class PlatformExportTests(PostgresCluster postgres)
{
    protected const int PageSize = 100;

    protected abstract string PlatformName { get; }

    protected abstract string Section { get; }

    protected abstract string ListId { get; }

    /// <summary>The platform field the first name is mapped to, and the key the emulator stores it under.</summary>
    protected virtual string NameTarget => StandardFields.FirstName;

    protected abstract string StoredNameKey { get; }

    /// <summary>The path ending of the request that carries a batch of contacts.</summary>
    protected abstract string UpsertPath { get; }

    protected abstract IDictionary<string, string?> BaseSettings(Uri sandboxRoot);

    protected virtual IDictionary<string, string?> SmallBatches => new Dictionary<string, string?> { ["MaxBatchContacts"] = PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    protected abstract DestinationAccount Account(DestinationHarness harness);

    protected abstract bool IsUnsubscribed(InspectedContact? contact);

    protected abstract bool IsGoneFromList(DestinationHarness harness, string email);

    /// <summary>Revokes the credentials the account uses (and, for OAuth, makes refreshing fail too).</summary>
    protected abstract void Revoke(DestinationHarness harness);

    /// <summary>The leaver settings this platform supports (others are not offered in the form).</summary>
    protected abstract IReadOnlyList<LeaverAction> LeaverActions { get; }

    protected Task<ExportScenario> StartAsync(string purpose) =>
        ExportScenario.StartAsync(postgres, purpose + PlatformName[..4], PlatformName, Section, BaseSettings, Account, ListId, SmallBatches, Quick);

    /// <summary>Shortens the emulator's own processing times (asynchronous imports) so tests take seconds.</summary>
    protected virtual void Quick(SandboxStartOptions options)
    {
    }

    private string? StoredName(ExportScenario s, string email) => s.Harness.Platform.InspectContact(ListId, email)?.Fields.GetValueOrDefault(StoredNameKey);

    /// <summary>The list's contacts that are the scenario's members (<c>p{n}@...</c>), seeded contacts left out.</summary>
    private List<InspectedContact> StoredMembers(ExportScenario s, int limit) =>
        s.Harness.Platform.InspectContacts(ListId, 0, limit)!.Contacts
            .Where(c => System.Text.RegularExpressions.Regex.IsMatch(c.Email, "^p[0-9]+@", System.Text.RegularExpressions.RegexOptions.IgnoreCase)).ToList();

    /// <summary>Contacts carried by the batch requests so far (each request body counted by its emails).</summary>
    private int BatchRequests(ExportScenario s) => s.Harness.Requests("POST", UpsertPath).Count;

    [Fact]
    public async Task A_first_run_delivers_every_member_mapped_a_second_sends_nothing_and_a_changed_profile_is_sent_alone()
    {
        await using var s = await StartAsync("first");
        await s.AddMembersAsync(1, 250);
        await s.CreateExportAsync(firstNameTarget: NameTarget);

        var first = await s.RunAsync();
        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal((250L, 250L, 250L, 250L, 0L, 0L), (first.Members, first.ToSend, first.Sent, first.Created, first.Rejected, first.Skipped));
        for (var n = 1; n <= 250; n++)
        {
            var stored = s.Harness.Platform.InspectContact(ListId, $"p{n}@example.com");
            Assert.True(stored is not null, $"p{n}@example.com is not on the list");
            Assert.Equal($"Name{n}", stored.Fields.GetValueOrDefault(StoredNameKey));
        }

        var batches = BatchRequests(s);
        Assert.True(batches >= 3, $"250 members in batches of {PageSize} take at least 3 requests, not {batches}");

        var second = await s.RunAsync();
        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal((250L, 0L, 250L), (second.Members, second.Sent, second.Unchanged));
        Assert.Equal(batches, BatchRequests(s));

        await s.ExecuteAsync("UPDATE profiles SET first_name = 'Changed' WHERE external_id = 'p7'");
        var third = await s.RunAsync();
        Assert.Equal((1L, 1L, 0L, 249L), (third.Sent, third.Updated, third.Created, third.Unchanged));
        Assert.Equal(batches + 1, BatchRequests(s));
        Assert.Equal("Changed", StoredName(s, "p7@example.com"));
        Assert.Equal("Name8", StoredName(s, "p8@example.com"));
    }

    [Fact]
    public async Task Leavers_are_handled_per_setting_touching_only_contacts_this_export_delivered()
    {
        foreach (var action in LeaverActions.Prepend(LeaverAction.Nothing))
        {
            await using var s = await StartAsync("leave");
            await s.AddMembersAsync(1, 20);
            await s.CreateExportAsync(action, NameTarget);
            await s.RunAsync();
            Assert.False(IsUnsubscribed(s.Harness.Platform.InspectContact(ListId, "bob@example.com")), "bob is seeded subscribed");

            await s.ExecuteAsync("DELETE FROM segment_members WHERE profile_id IN (SELECT id FROM profiles WHERE external_id IN ('p3', 'p4'))");
            var run = await s.RunAsync();

            Assert.Equal(RunStatus.Succeeded, run.Status);
            Assert.Equal((18L, action == LeaverAction.Nothing ? 0L : 2L), (run.Members, run.Removed));
            var p3 = s.Harness.Platform.InspectContact(ListId, "p3@example.com");
            switch (action)
            {
                case LeaverAction.Nothing:
                    Assert.False(IsUnsubscribed(p3) || IsGoneFromList(s.Harness, "p3@example.com"), "with 'nothing', a leaver stays as it was");
                    break;
                case LeaverAction.Unsubscribe:
                    Assert.True(IsUnsubscribed(p3), $"p3 should be unsubscribed, is {p3?.Status}");
                    break;
                case LeaverAction.RemoveFromList:
                    Assert.True(IsGoneFromList(s.Harness, "p3@example.com"), $"p3 should be off the list, is {p3?.Status}");
                    break;
            }

            Assert.False(IsUnsubscribed(s.Harness.Platform.InspectContact(ListId, "p5@example.com")) || IsGoneFromList(s.Harness, "p5@example.com"), "a member stays");
            // Seeded on the list before this export existed, never delivered by it, not in the segment: left alone.
            Assert.False(IsUnsubscribed(s.Harness.Platform.InspectContact(ListId, "bob@example.com")) || IsGoneFromList(s.Harness, "bob@example.com"),
                $"{action}: a contact this export never delivered was touched");
            Assert.Equal(0L, (await s.RunAsync()).Removed);
        }
    }

    [Fact]
    public async Task Over_the_cap_the_run_fails_before_sending_and_says_the_count_and_the_cap()
    {
        await using var s = await StartAsync("cap");
        await s.AddMembersAsync(1, 30);
        await s.CreateExportAsync(firstNameTarget: NameTarget);

        var run = await s.RunAsync(cap: 25);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("would send 30 profiles, over the cap of 25", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, BatchRequests(s));
        Assert.Null(s.Harness.Platform.InspectContact(ListId, "p1@example.com"));
    }

    [Fact]
    public async Task Memberships_over_the_cap_do_not_stop_a_run_whose_distinct_emails_are_within_it()
    {
        await using var s = await StartAsync("capdistinct");
        await s.AddMembersAsync(1, 30);
        // 30 memberships; 4 profiles without an email (26 with one); 6 of those share another's email (20 distinct).
        await s.ExecuteAsync("""
            UPDATE profiles SET email = NULL WHERE external_id IN ('p27', 'p28', 'p29', 'p30');
            UPDATE profiles SET email = ' p' || (substr(external_id, 2)::int - 20) || '@EXAMPLE.com ' WHERE external_id IN ('p21', 'p22', 'p23', 'p24', 'p25', 'p26');
            """);
        await s.CreateExportAsync(firstNameTarget: NameTarget);

        var run = await s.RunAsync(cap: 25);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal((20L, 20L), (run.Members, run.Sent));
        Assert.NotNull(s.Harness.Platform.InspectContact(ListId, "p20@example.com"));
    }

    /// <summary>
    /// A page keeps one packed email per member and the normalized one only where it differs: emails stored as they are
    /// normalized, and others in capitals or with spaces around, must each be delivered under their own normalized
    /// email, so the next run finds every one unchanged.
    /// </summary>
    [Fact]
    public async Task Emails_stored_normalized_or_not_are_each_delivered_once_and_unchanged_on_the_next_run()
    {
        await using var s = await StartAsync("packed");
        await s.AddMembersAsync(1, 250);
        // Odd members as normalized ('p1@example.com'), every fourth in capitals with spaces around, the rest 'P{n}@Example.com'.
        await s.ExecuteAsync("""
            UPDATE profiles SET email = lower(email) WHERE substr(external_id, 2)::int % 2 = 1;
            UPDATE profiles SET email = '  ' || upper(email) || ' ' WHERE substr(external_id, 2)::int % 4 = 0;
            """);
        await s.CreateExportAsync(firstNameTarget: NameTarget);

        var first = await s.RunAsync();
        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal((250L, 250L, 0L, 0L), (first.Sent, first.Created, first.Rejected, first.Skipped));
        Assert.Equal(250, Delivered(s, 250));
        Assert.Equal(250L, await s.CountAsync("SELECT count(*) FROM export_deliveries d JOIN profiles p ON p.email_normalized = d.email_normalized"));

        var second = await s.RunAsync();
        Assert.Equal((0L, 250L), (second.Sent, second.Unchanged));
    }

    [Fact]
    public async Task Cancel_stops_the_run_after_the_batch_in_flight_and_the_next_run_sends_the_rest()
    {
        await using var s = await StartAsync("cancel");
        await s.AddMembersAsync(1, 250);
        await s.CreateExportAsync(firstNameTarget: NameTarget);

        // Asked to stop before it began: the engine finishes the page in hand, checkpoints it, and stops.
        var cancelled = await s.RunAsync(cancelFirst: true);
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Equal(PageSize, cancelled.Sent);
        Assert.Equal(PageSize, Delivered(s, 250));

        var next = await s.RunAsync();
        Assert.Equal(RunStatus.Succeeded, next.Status);
        Assert.Equal((250L - PageSize, (long)PageSize), (next.Sent, next.Unchanged));
        Assert.Equal(250, Delivered(s, 250));
    }

    /// <summary>
    /// Issue 10's fault mix: 10% 429 with Retry-After, 5% 503, 2% dropped connections and 1% timeouts on every request
    /// (batches and status polls alike). The platform's own rate limits are off here, so the faults are all there is.
    /// </summary>
    [Fact]
    public async Task Under_throttling_errors_dropped_connections_and_timeouts_a_run_delivers_every_member_once_and_shows_its_retries()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Retry:MaxRetries"] = "12",
            ["Retry:BaseDelay"] = "00:00:00.020",
            ["Retry:MaxDelay"] = "00:00:00.200",
            ["Retry:AttemptTimeout"] = "00:00:01",
            ["RequestsPerSecond"] = "0",
            ["BulkRequestsPerMinute"] = "0",
            ["Poll:InitialDelay"] = "00:00:00.020",
            ["Poll:MaxDelay"] = "00:00:00.100",
            ["Poll:Timeout"] = "00:02:00",
        };
        await using var s = await ExportScenario.StartAsync(postgres, "faults" + PlatformName[..4], PlatformName, Section, BaseSettings, Account, ListId, settings, Quick);
        await s.AddMembersAsync(1, FaultMembers);
        await s.CreateExportAsync(firstNameTarget: NameTarget);
        s.Harness.Platform.Faults.Configure(f =>
        {
            f.RateLimitsEnabled = false;
            f.TooManyRequestsShare = 0.10;
            f.RetryAfter = TimeSpan.FromSeconds(1);
            f.ServiceUnavailableShare = 0.05;
            f.DropConnectionShare = 0.02;
            f.TimeoutShare = 0.01;
            f.TimeoutAfter = TimeSpan.FromSeconds(3);
            f.Seed = 7;
        });

        var run = await s.RunAsync();

        Assert.True(run.Status == RunStatus.Succeeded, $"{run.Status}: {run.Error}");
        Assert.Equal((FaultMembers, FaultMembers, FaultMembers), (run.Members, run.Sent, run.Created));
        Assert.True(run.Retries > 0, "the run shows the requests it sent again");
        var faults = s.Harness.Requests().Count(r => r.Status is 429 or 503 or 0);
        Assert.True(faults > 0, "the emulator injected faults");
        var stored = StoredMembers(s, FaultMembers + 1000);
        // Every member once: as many contacts as members, each with its own mapped name.
        Assert.Equal(FaultMembers, stored.Count);
        Assert.Equal(FaultMembers, stored.Select(c => c.Email.ToLowerInvariant()).Distinct().Count());
        var wrong = stored.Count(c => c.Fields.GetValueOrDefault(StoredNameKey) != "Name" + c.Email[1..c.Email.IndexOf('@', StringComparison.Ordinal)]);
        Assert.Equal(0, wrong);
    }

    /// <summary>
    /// With no retries left in the client, a 429 comes back to the engine as deferred contacts: it waits the platform's
    /// Retry-After and sends them again, read afresh from the database (a batch in flight does not keep its contacts).
    /// </summary>
    [Fact]
    public async Task Contacts_still_throttled_after_the_clients_retries_are_read_again_sent_again_and_delivered_once()
    {
        var settings = new Dictionary<string, string?>(SmallBatches)
        {
            ["Retry:MaxRetries"] = "0",
            ["RequestsPerSecond"] = "0",
            ["BulkRequestsPerMinute"] = "0",
            ["Poll:InitialDelay"] = "00:00:00.020",
            ["Poll:MaxDelay"] = "00:00:00.100",
            ["Poll:Timeout"] = "00:00:30",
        };
        await using var s = await ExportScenario.StartAsync(postgres, "defer" + PlatformName[..4], PlatformName, Section, BaseSettings, Account, ListId, settings, Quick);
        await s.AddMembersAsync(1, 300);
        await s.CreateExportAsync(firstNameTarget: NameTarget);
        // The list read and the first requests pass; then about one request in four is refused with Retry-After: 1.
        s.Harness.Platform.Faults.Configure(f =>
        {
            f.RateLimitsEnabled = false;
            f.TooManyRequestsShare = 0.25;
            f.RetryAfter = TimeSpan.FromSeconds(1);
            f.Seed = FaultSeeds.CleanThenFaults(clean: 3, share: 0.25, faults: 2, within: 6);
        });

        var run = await s.RunAsync();

        Assert.True(run.Status == RunStatus.Succeeded, $"{run.Status}: {run.Error}");
        Assert.Equal((300L, 300L, 300L, 0L), (run.Members, run.Sent, run.Created, run.Skipped));
        Assert.Contains(s.Harness.Requests(), r => r.Status == 429);
        Assert.True(await s.CountAsync("SELECT count(*) FROM export_run_events WHERE message LIKE '%throttled%sending them again%'") > 0,
            "the run waited out the platform and sent the deferred contacts again");
        var stored = StoredMembers(s, 2_000);
        Assert.Equal(300, stored.Select(c => c.Email.ToLowerInvariant()).Distinct().Count());
        Assert.Equal(0, stored.Count(c => c.Fields.GetValueOrDefault(StoredNameKey) != "Name" + c.Email[1..c.Email.IndexOf('@', StringComparison.Ordinal)]));

        // What was recorded as delivered is what was sent: the next run has nothing to send.
        s.Harness.Platform.Faults.Configure(f => f.TooManyRequestsShare = 0);
        var next = await s.RunAsync();
        Assert.Equal((0L, 300L), (next.Sent, next.Unchanged));
    }

    [Fact]
    public async Task A_credential_revoked_mid_run_stops_the_run_within_seconds_with_reconnect_advice_and_no_retry_storm()
    {
        await using var s = await StartAsync("revoke");
        await s.AddMembersAsync(1, 1_000);
        await s.CreateExportAsync(firstNameTarget: NameTarget);
        s.Harness.Platform.Faults.Configure(f => f.Latency = TimeSpan.FromMilliseconds(60));
        var runId = await s.QueueAsync();
        var engine = s.App.Factory.Services.GetRequiredService<ExportEngine>();
        var running = engine.RunAsync(runId, new ExportTarget(s.Destination, s.Account, 1_000_000, "Sandbox"), "test-node", CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await s.RunRowAsync(runId)).Sent >= 200, "the run is under way", TimeSpan.FromSeconds(60));

        Revoke(s.Harness);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await running.WaitAsync(TimeSpan.FromSeconds(60));
        watch.Stop();

        var run = await s.RunRowAsync(runId);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("Reconnect the connection", run.Error, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the run took {watch.Elapsed} to stop");
        // A refused credential is not retried: one refusal per request in flight (and one refresh attempt for OAuth).
        var refused = s.Harness.Requests().Count(r => r.Status is 401 or 403);
        Assert.InRange(refused, 1, 4);
        Assert.True(run.Sent < 1_000, "the run stopped before the end");
    }

    /// <summary>
    /// For the platforms that import asynchronously: while the platform never finishes an import, the run gives up
    /// after the poll timeout with a sentence; once the platform works again, the next run sends what was not confirmed.
    /// </summary>
    protected async Task StalledImportAsync(Action<SandboxEmulators, bool> stall)
    {
        ArgumentNullException.ThrowIfNull(stall);
        var settings = new Dictionary<string, string?>(SmallBatches)
        {
            ["Poll:InitialDelay"] = "00:00:00.020",
            ["Poll:MaxDelay"] = "00:00:00.100",
            ["Poll:Timeout"] = "00:00:02",
        };
        await using var s = await ExportScenario.StartAsync(postgres, "stall" + PlatformName[..4], PlatformName, Section, BaseSettings, Account, ListId, settings, Quick);
        await s.AddMembersAsync(1, 150);
        await s.CreateExportAsync(firstNameTarget: NameTarget);
        stall(s.Harness.Sandbox, true);

        var failed = await s.RunAsync();

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("did not finish within", failed.Error, StringComparison.Ordinal);
        Assert.Contains("next run sends", failed.Error, StringComparison.Ordinal);
        // The platform may have taken some of them; none is recorded as delivered, as none was confirmed.
        Assert.Equal(0L, failed.Sent);
        Assert.Equal(0L, await s.CountAsync($"SELECT count(*) FROM export_deliveries WHERE export_id = {s.ExportId}"));

        stall(s.Harness.Sandbox, false);
        var next = await s.RunAsync();
        Assert.True(next.Status == RunStatus.Succeeded, $"{next.Status}: {next.Error}");
        Assert.Equal(150L, next.Sent);
        Assert.Equal(150, Delivered(s, 150));
    }

    /// <summary>Members in the fault run: the issue's 50,000.</summary>
    protected virtual int FaultMembers => 50_000;

    private int Delivered(ExportScenario s, int members) =>
        Enumerable.Range(1, members).Count(n => s.Harness.Platform.InspectContact(ListId, $"p{n}@example.com") is not null);
}

public sealed class MailchimpPlatformExportTests(PostgresCluster postgres) : PlatformExportTests(postgres)
{
    protected override string PlatformName => "mailchimp";

    protected override string Section => MailchimpDestination.Section;

    protected override string ListId => MailchimpOptions.NewsletterListId;

    protected override string StoredNameKey => "FNAME";

    protected override string UpsertPath => "/3.0/lists/" + MailchimpOptions.NewsletterListId;

    protected override IDictionary<string, string?> SmallBatches => new Dictionary<string, string?>(base.SmallBatches) { ["MaxConcurrentRequests"] = "1" };

    protected override IReadOnlyList<LeaverAction> LeaverActions => [LeaverAction.Unsubscribe, LeaverAction.RemoveFromList];

    protected override IDictionary<string, string?> BaseSettings(Uri sandboxRoot) => new Dictionary<string, string?>
    {
        ["BaseUrl"] = sandboxRoot + "mailchimp/{dc}/3.0/",
        ["OAuthMetadataUrl"] = sandboxRoot + "mailchimp/login/oauth2/metadata",
    };

    protected override DestinationAccount Account(DestinationHarness harness) => new("mc-1", new ApiKeyCredentials(MailchimpOptions.DefaultApiKey));

    protected override void Revoke(DestinationHarness harness) => harness.Sandbox.Mailchimp.Revoke(MailchimpOptions.DefaultApiKey);

    protected override bool IsUnsubscribed(InspectedContact? contact) => contact?.Status == "unsubscribed";

    protected override bool IsGoneFromList(DestinationHarness harness, string email) =>
        harness.Platform.InspectContact(ListId, email) is not { } c || c.Status == "archived";
}

public sealed class ActiveCampaignPlatformExportTests(PostgresCluster postgres) : PlatformExportTests(postgres)
{
    protected override string PlatformName => "activecampaign";

    protected override string Section => ActiveCampaignDestination.Section;

    protected override string ListId => "1";

    protected override string StoredNameKey => "first_name";

    protected override string UpsertPath => "/api/3/import/bulk_import";

    protected override IReadOnlyList<LeaverAction> LeaverActions => [LeaverAction.Unsubscribe];

    protected override IDictionary<string, string?> BaseSettings(Uri sandboxRoot) => new Dictionary<string, string?>
    {
        ["BaseUrl"] = sandboxRoot + "activecampaign/{account}/api/3/",
        ["Poll:InitialDelay"] = "00:00:00.050",
        ["Poll:MaxDelay"] = "00:00:00.200",
        ["Poll:Timeout"] = "00:00:20",
    };

    protected override DestinationAccount Account(DestinationHarness harness) =>
        new("ac-1", new ApiKeyCredentials(ActiveCampaignOptions.DefaultApiToken), "sandbox");

    protected override void Revoke(DestinationHarness harness) => harness.Sandbox.ActiveCampaign.Revoke(ActiveCampaignOptions.DefaultApiToken);

    protected override void Quick(SandboxStartOptions options) => options.Configure<ActiveCampaignOptions>(a =>
    {
        a.ImportStatusFalseFor = TimeSpan.Zero;
        (a.ImportWaiting, a.ImportClaimed, a.ImportActive) = (TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5));
    });

    [Fact]
    public Task An_import_that_never_finishes_fails_the_run_after_the_poll_timeout_and_the_next_run_sends_it_again() =>
        StalledImportAsync((sandbox, stalled) => sandbox.ActiveCampaign.Options.ImportActive = stalled ? TimeSpan.FromHours(1) : TimeSpan.FromMilliseconds(5));

    protected override bool IsUnsubscribed(InspectedContact? contact) => contact?.Status == "unsubscribed";

    protected override bool IsGoneFromList(DestinationHarness harness, string email) => harness.Platform.InspectContact(ListId, email) is null;
}

public sealed class ConstantContactPlatformExportTests(PostgresCluster postgres) : PlatformExportTests(postgres)
{
    protected override string PlatformName => "constantcontact";

    protected override string Section => ConstantContactDestination.Section;

    protected override string ListId => ConstantContactOptions.NewsletterListId;

    protected override string StoredNameKey => "first_name";

    protected override string UpsertPath => "/activities/contacts_json_import";

    protected override IReadOnlyList<LeaverAction> LeaverActions => [LeaverAction.RemoveFromList];

    protected override IDictionary<string, string?> BaseSettings(Uri sandboxRoot) => new Dictionary<string, string?>
    {
        ["BaseUrl"] = sandboxRoot + "constantcontact/v3/",
        ["Poll:InitialDelay"] = "00:00:00.050",
        ["Poll:MaxDelay"] = "00:00:00.200",
        ["Poll:Timeout"] = "00:00:20",
    };

    protected override void Quick(SandboxStartOptions options) => options.Configure<ConstantContactOptions>(c =>
        (c.ActivityInitialized, c.ActivityProcessing) = (TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5)));

    [Fact]
    public Task An_import_that_never_finishes_fails_the_run_after_the_poll_timeout_and_the_next_run_sends_it_again() =>
        StalledImportAsync((sandbox, stalled) => sandbox.ConstantContact.Options.ActivityProcessing = stalled ? TimeSpan.FromHours(1) : TimeSpan.FromMilliseconds(5));

    private readonly List<string> _issued = [];
    private volatile bool _revoked;

    /// <summary>Tokens as the platform issues them; once revoked, a refresh hands back a token the platform refuses.</summary>
    protected override DestinationAccount Account(DestinationHarness harness)
    {
        var cc = harness.Sandbox.ConstantContact;
        string Issue()
        {
            var token = cc.IssueTokens().AccessToken;
            lock (_issued)
            {
                _issued.Add(token);
            }

            if (_revoked)
            {
                cc.Revoke(token);
            }

            return token;
        }

        return new DestinationAccount("cc-1", new OAuthCredentials(Issue(), _ => Task.FromResult(Issue())));
    }

    protected override void Revoke(DestinationHarness harness)
    {
        _revoked = true;
        lock (_issued)
        {
            _issued.ForEach(t => harness.Sandbox.ConstantContact.Revoke(t));
        }
    }

    protected override bool IsUnsubscribed(InspectedContact? contact) => contact?.Status == "unsubscribed";

    /// <summary>Inspecting one contact shows it whatever its lists; the list's page shows members only.</summary>
    protected override bool IsGoneFromList(DestinationHarness harness, string email) =>
        !harness.Platform.InspectContacts(ListId, 0, 100_000)!.Contacts.Any(c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase));
}

public sealed class CampaignMonitorPlatformExportTests(PostgresCluster postgres) : PlatformExportTests(postgres)
{
    protected override string PlatformName => "campaignmonitor";

    protected override string Section => CampaignMonitorDestination.Section;

    protected override string ListId => CampaignMonitorOptions.NewsletterListId;

    protected override string NameTarget => StandardFields.Name;

    protected override string StoredNameKey => "Name";

    protected override string UpsertPath => "/import.json";

    protected override IDictionary<string, string?> SmallBatches => new Dictionary<string, string?>(base.SmallBatches) { ["MaxConcurrentRequests"] = "1" };

    protected override IReadOnlyList<LeaverAction> LeaverActions => [LeaverAction.Unsubscribe, LeaverAction.RemoveFromList];

    protected override IDictionary<string, string?> BaseSettings(Uri sandboxRoot) => new Dictionary<string, string?>
    {
        ["BaseUrl"] = sandboxRoot + "campaignmonitor/api/v3.3/",
    };

    protected override DestinationAccount Account(DestinationHarness harness) => new("cm-1", new ApiKeyCredentials(CampaignMonitorOptions.DefaultApiKey));

    protected override void Revoke(DestinationHarness harness) => harness.Sandbox.CampaignMonitor.Revoke(CampaignMonitorOptions.DefaultApiKey);

    protected override bool IsUnsubscribed(InspectedContact? contact) => contact?.Status == "Unsubscribed";

    protected override bool IsGoneFromList(DestinationHarness harness, string email) =>
        harness.Platform.InspectContact(ListId, email) is not { } c || c.Status == "Deleted";
}
