using SegmentExport.Destinations;
using SegmentExport.Destinations.ActiveCampaign;
using SegmentExport.Destinations.CampaignMonitor;
using SegmentExport.Destinations.ConstantContact;
using SegmentExport.Destinations.Mailchimp;
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

    /// <summary>The leaver settings this platform supports (others are not offered in the form).</summary>
    protected abstract IReadOnlyList<LeaverAction> LeaverActions { get; }

    protected Task<ExportScenario> StartAsync(string purpose) =>
        ExportScenario.StartAsync(postgres, purpose + PlatformName[..4], PlatformName, Section, BaseSettings, Account, ListId, SmallBatches);

    private string? StoredName(ExportScenario s, string email) => s.Harness.Platform.InspectContact(ListId, email)?.Fields.GetValueOrDefault(StoredNameKey);

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

    protected override DestinationAccount Account(DestinationHarness harness)
    {
        var cc = harness.Sandbox.ConstantContact;
        return new DestinationAccount("cc-1", new OAuthCredentials(cc.IssueTokens().AccessToken, _ => Task.FromResult(cc.IssueTokens().AccessToken)));
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

    protected override bool IsUnsubscribed(InspectedContact? contact) => contact?.Status == "Unsubscribed";

    protected override bool IsGoneFromList(DestinationHarness harness, string email) =>
        harness.Platform.InspectContact(ListId, email) is not { } c || c.Status == "Deleted";
}
