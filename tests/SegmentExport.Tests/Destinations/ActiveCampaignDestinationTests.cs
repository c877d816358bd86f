using SegmentExport.Destinations;
using SegmentExport.Destinations.ActiveCampaign;
using SegmentExport.Emulators;
using SegmentExport.Emulators.ActiveCampaign;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Tests.Destinations;

public sealed class ActiveCampaignDestinationTests : DestinationContractTests
{
    protected override string PlatformName => "activecampaign";

    protected override string Section => ActiveCampaignDestination.Section;

    protected override string ListId => "1";

    protected override string UpsertPath => "/api/3/import/bulk_import";

    /// <summary>The exclusions are read before the first import (then reused while fresh).</summary>
    protected override int RequestsBeforeUpsert => 1;

    // The bulk importer reports success as contact ids and failure as emails: it cannot say new from existing, nor
    // that it left a previous unsubscribe alone (provider-apis 2.3). The contract test still checks the state.
    protected override ContactOutcomeKind CreatedKind => ContactOutcomeKind.Accepted;

    protected override ContactOutcomeKind UpdatedKind => ContactOutcomeKind.Accepted;

    protected override ContactOutcomeKind UnsubscribedKind => ContactOutcomeKind.Accepted;

    protected override int LimitProbeCalls => 12;

    protected override IDictionary<string, string?> BaseSettings(Uri sandboxRoot) => new Dictionary<string, string?>
    {
        ["BaseUrl"] = sandboxRoot + "activecampaign/{account}/api/3/",
        ["Poll:InitialDelay"] = "00:00:00.100",
        ["Poll:MaxDelay"] = "00:00:00.300",
        ["Poll:Timeout"] = "00:00:20",
    };

    protected override Task<DestinationAccount> AccountAsync(DestinationHarness harness) =>
        Task.FromResult(new DestinationAccount("ac-1", new ApiKeyCredentials(ActiveCampaignOptions.DefaultApiToken), "sandbox"));

    protected override Task<DestinationAccount> RejectedAccountAsync(DestinationHarness harness, Action onRefresh)
    {
        harness.Sandbox.ActiveCampaign.Revoke(ActiveCampaignOptions.DefaultApiToken);
        return AccountAsync(harness);
    }

    protected override string? FirstNameOf(InspectedContact contact) => contact.Fields.GetValueOrDefault("first_name");

    protected override bool IsUnsubscribed(InspectedContact contact) => contact.Status == "unsubscribed";

    protected override bool IsGone(InspectedContact? contact) => contact is null;

    [Fact]
    public async Task The_import_is_polled_until_completed_and_failures_map_back_to_their_contacts()
    {
        await using var h = await StartAsync();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId,
            [Contact("one@example.com", "One"), Contact("broken'quote@example.com", "Two"), Contact("three@example.com", "Three", ("1", "Three Ltd"))], Ct);
        Assert.Equal(ContactOutcomeKind.Accepted, result.For("one@example.com").Kind);
        Assert.Equal(("import_failure", ContactOutcomeKind.Rejected), (result.For("broken'quote@example.com").Code, result.For("broken'quote@example.com").Kind));
        Assert.Equal("Three Ltd", Inspect(h, "three@example.com")!.Fields["1"]);
        var polls = h.Requests("GET", "/import/info");
        Assert.True(polls.Count >= 2, "status:false and the waiting states need more than one poll");
    }

    [Fact]
    public async Task A_malformed_email_that_fails_the_whole_request_is_rejected_and_the_rest_sent_again()
    {
        await using var h = await StartAsync();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId, [Contact("not an email", "No"), Contact("kept@example.com", "Kept")], Ct);
        var bad = result.For("not an email");
        Assert.Equal(ContactOutcomeKind.Rejected, bad.Kind);
        Assert.Contains("email", bad.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ContactOutcomeKind.Accepted, result.For("kept@example.com").Kind);
        Assert.Equal([400, 200], h.Requests("POST", UpsertPath).Select(r => r.Status).ToArray());
    }

    [Fact]
    public async Task Excluded_emails_are_skipped_without_being_sent()
    {
        await using var h = await StartAsync();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId, [Contact("excluded@example.com", "Ex")], Ct);
        Assert.Equal(new ContactOutcome("excluded@example.com", ContactOutcomeKind.Skipped, "excluded", result.Outcomes[0].Message), result.Outcomes[0]);
        Assert.Empty(h.Requests("POST", UpsertPath));
    }

    [Fact]
    public async Task The_exclusion_list_is_read_once_for_the_pages_of_a_run()
    {
        await using var h = await StartAsync();
        var destination = Destination(h);
        var account = await AccountAsync(h);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => destination.UpsertAsync(account, ListId, [Contact($"page{i}@example.com", "P")], Ct)));
        Assert.Single(h.Requests("GET", "/lists/exclusions"));

        // Excluded after the read: the importer still refuses it, and it is reported rather than lost.
        h.Sandbox.ActiveCampaign.Exclusions["late@example.com"] = 0;
        var stale = await destination.UpsertAsync(account, ListId, [Contact("late@example.com", "L")], Ct);
        Assert.Equal((ContactOutcomeKind.Rejected, "import_failure"), (stale.Outcomes[0].Kind, stale.Outcomes[0].Code));
        Assert.Single(h.Requests("GET", "/lists/exclusions"));
    }

    [Fact]
    public async Task A_stale_exclusion_list_is_read_again()
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["ExclusionsFresh"] = "00:00:00" });
        var destination = Destination(h);
        var account = await AccountAsync(h);
        await destination.UpsertAsync(account, ListId, [Contact("early@example.com", "E")], Ct);
        h.Sandbox.ActiveCampaign.Exclusions["late@example.com"] = 0;
        var result = await destination.UpsertAsync(account, ListId, [Contact("late@example.com", "L")], Ct);
        Assert.Equal((ContactOutcomeKind.Skipped, "excluded"), (result.Outcomes[0].Kind, result.Outcomes[0].Code));
        Assert.Equal(2, h.Requests("GET", "/lists/exclusions").Count);
    }

    [Fact]
    public async Task Bulk_imports_keep_to_the_per_minute_limit_the_client_was_given()
    {
        // The emulator's 100 a minute scaled down to 3, and the client told the same: the fourth import waits its turn.
        await using var h = await StartAsync(
            new Dictionary<string, string?> { ["BulkRequestsPerMinute"] = "3", ["MaxBatchContacts"] = "1" },
            o => o.Configure<ActiveCampaignOptions>(a => a.BulkImportsPerMinute = 3));
        var account = await AccountAsync(h);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = Destination(h).UpsertAsync(account, ListId, Enumerable.Range(0, 4).Select(i => Contact($"minute{i}@example.com", "M")).ToList(), cancel.Token);
        await Poll.UntilAsync(() => Inspect(h, "minute2@example.com") is not null, "the third import was applied", TimeSpan.FromSeconds(20));

        // The client polls at least every 300 ms while it has work: a quiet second means it is waiting for a permit.
        await Poll.QuietAsync(() => h.Requests().Count, TimeSpan.FromSeconds(1));
        Assert.Equal(3, h.Requests("POST", UpsertPath).Count);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.DoesNotContain(h.Requests(), r => r.Status == 429);
    }
}
