using SegmentExport.Destinations;
using SegmentExport.Destinations.ConstantContact;
using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.ConstantContact;

namespace SegmentExport.Tests.Destinations;

public sealed class ConstantContactDestinationTests : DestinationContractTests
{
    protected override string PlatformName => "constantcontact";

    protected override string Section => ConstantContactDestination.Section;

    protected override string ListId => ConstantContactOptions.NewsletterListId;

    protected override string UnknownListId => "00000000-0000-0000-0000-000000000000";

    protected override string UpsertPath => "/activities/contacts_json_import";

    // A JSON import reports counts only (provider-apis 3.3): written rows cannot be told new from existing.
    protected override ContactOutcomeKind CreatedKind => ContactOutcomeKind.Accepted;

    protected override ContactOutcomeKind UpdatedKind => ContactOutcomeKind.Accepted;

    protected override int ExpectedRefreshes => 1;

    protected override int LimitProbeCalls => 10;

    protected override IDictionary<string, string?> BaseSettings(Uri sandboxRoot) => new Dictionary<string, string?>
    {
        ["BaseUrl"] = sandboxRoot + "constantcontact/v3/",
        ["Poll:InitialDelay"] = "00:00:00.100",
        ["Poll:MaxDelay"] = "00:00:00.300",
        ["Poll:Timeout"] = "00:00:20",
    };

    protected override Task<DestinationAccount> AccountAsync(DestinationHarness harness)
    {
        var cc = harness.Sandbox.ConstantContact;
        return Task.FromResult(new DestinationAccount("cc-1", new OAuthCredentials(cc.IssueTokens().AccessToken, _ => Task.FromResult(cc.IssueTokens().AccessToken))));
    }

    protected override Task<DestinationAccount> RejectedAccountAsync(DestinationHarness harness, Action onRefresh)
    {
        var cc = harness.Sandbox.ConstantContact;
        string Revoked()
        {
            var token = cc.IssueTokens().AccessToken;
            cc.Revoke(token);
            return token;
        }

        return Task.FromResult(new DestinationAccount("cc-1", new OAuthCredentials(Revoked(), _ =>
        {
            onRefresh();
            return Task.FromResult(Revoked());
        })));
    }

    protected override string? FirstNameOf(InspectedContact contact) => contact.Fields.GetValueOrDefault("first_name");

    protected override bool IsUnsubscribed(InspectedContact contact) => contact.Status == "unsubscribed";

    protected override bool IsGone(InspectedContact? contact) => contact is null;

    /// <summary>Inspecting one contact shows it whatever its lists; the list's page shows members only.</summary>
    protected override bool IsGoneFromList(DestinationHarness harness, string email) =>
        !harness.Platform.InspectContacts(ListId, 0, 10_000)!.Contacts.Any(c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task A_rejected_access_token_is_refreshed_once_and_the_call_then_succeeds()
    {
        await using var h = await StartAsync();
        var cc = h.Sandbox.ConstantContact;
        var stale = cc.IssueTokens().AccessToken;
        cc.Revoke(stale);
        var refreshes = 0;
        var account = new DestinationAccount("cc-1", new OAuthCredentials(stale, _ =>
        {
            Interlocked.Increment(ref refreshes);
            return Task.FromResult(cc.IssueTokens().AccessToken);
        }));
        Assert.Equal("SegmentExport Sandbox", await Destination(h).CheckCredentialsAsync(account, Ct));
        Assert.Equal("SegmentExport Sandbox", await Destination(h).CheckCredentialsAsync(account, Ct));
        Assert.Equal(1, refreshes);
        Assert.Equal([401, 200, 200], h.Requests().Select(r => r.Status).ToArray());
    }

    [Fact]
    public async Task Import_counts_with_errors_lead_to_a_look_up_of_the_contacts_that_did_not_arrive()
    {
        await using var h = await StartAsync();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId,
            [Contact("arrived@example.com", "Ari"), Contact("broken@nodot", "Bro"), Contact("unsubscribed@example.com", "Una")], Ct);
        Assert.Equal(ContactOutcomeKind.Accepted, result.For("arrived@example.com").Kind);
        Assert.Equal(("import_error", ContactOutcomeKind.Rejected), (result.For("broken@nodot").Code, result.For("broken@nodot").Kind));
        Assert.Contains("invalid", result.For("broken@nodot").Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ContactOutcomeKind.Skipped, result.For("unsubscribed@example.com").Kind);
        Assert.NotEmpty(h.Requests("GET", "/v3/contacts"));
        Assert.True(h.Requests("GET").Count(r => r.Path.Contains("/activities/", StringComparison.Ordinal)) >= 2, "the activity is polled until it completes");
    }

    [Fact]
    public async Task Removal_looks_contact_ids_up_in_bulk_by_walking_the_list_and_removes_them_500_at_a_time()
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["LookupByEmailMax"] = "2" });
        var destination = Destination(h);
        var account = await AccountAsync(h);
        var leavers = Enumerable.Range(0, 30).Select(i => $"leaver{i}@example.com").ToList();
        await destination.UpsertAsync(account, ListId, leavers.Select(e => Contact(e, "L")).ToList(), Ct);
        var before = h.Requests("GET", "/v3/contacts").Count;
        var result = await destination.RemoveAsync(account, ListId, [.. leavers, "stranger@example.com"], RemoveMode.RemoveFromList, Ct);
        Assert.All(leavers, e => Assert.Equal(ContactOutcomeKind.Removed, result.For(e).Kind));
        Assert.Equal(ContactOutcomeKind.Skipped, result.For("stranger@example.com").Kind);
        Assert.All(leavers, e => Assert.True(IsGoneFromList(h, e)));

        // One page of the list's members plus one email look-up for the stranger, not 31 look-ups.
        Assert.InRange(h.Requests("GET", "/v3/contacts").Count - before, 2, 3);
        Assert.Single(h.Requests("POST", "/activities/remove_list_memberships"));
    }
    private IStreamedUpsert Streamed(DestinationHarness harness) => Assert.IsAssignableFrom<IStreamedUpsert>(Destination(harness));

    [Fact]
    public async Task A_streamed_import_fills_to_the_bytes_a_cut_batch_holds_and_answers_each_contact_in_the_order_added()
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["MaxBatchBytes"] = "4096" });
        var account = await AccountAsync(h);
        await Destination(h).UpsertAsync(account, ListId, Enumerable.Range(0, 12).Select(i => Padded($"wide{i:D2}@example.com", 600)).ToList(), Ct);
        var cutFirst = h.Requests("POST", UpsertPath)[0].Items;

        // The same sizes (emails of the same length), written one by one as the engine streams them.
        var streamed = Enumerable.Range(0, 12).Select(i => Padded($"tall{i:D2}@example.com", 600)).ToList();
        var batch = Streamed(h).OpenBatch(account, ListId);
        var added = 0;
        while (batch.TryAdd(streamed[added]))
        {
            added++;
        }

        Assert.Equal(cutFirst, added);
        Assert.InRange(added, 2, 11);
        Assert.Equal(added, batch.Count);
        var result = await batch.SendAsync(Ct);
        Assert.Equal(streamed.Take(added).Select(c => c.Email), result.Outcomes.Select(o => o.Email));
        Assert.All(result.Outcomes, o => Assert.Equal(ContactOutcomeKind.Accepted, o.Kind));
        Assert.Equal(added, h.Requests("POST", UpsertPath)[^1].Items);
        Assert.All(streamed.Take(added), c => Assert.Equal(c.Fields["first_name"], FirstNameOf(Inspect(h, c.Email)!)));
        Assert.Null(Inspect(h, streamed[added].Email));
    }

    [Fact]
    public async Task A_streamed_import_stops_at_its_contact_limit_and_answers_a_contact_too_large_for_any_request_rejected_without_sending_it()
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["MaxBatchBytes"] = "4096", ["MaxBatchContacts"] = "3" });
        var batch = Streamed(h).OpenBatch(await AccountAsync(h), ListId);
        Assert.True(batch.TryAdd(Contact("one@example.com", "One")));
        Assert.True(batch.TryAdd(Padded("huge@example.com", 5000)));
        Assert.True(batch.TryAdd(Contact("two@example.com", "Two")));
        Assert.True(batch.TryAdd(Contact("three@example.com", "Three")));
        Assert.False(batch.TryAdd(Contact("four@example.com", "Four")));

        var result = await batch.SendAsync(Ct);
        Assert.Equal(["one@example.com", "huge@example.com", "two@example.com", "three@example.com"], result.Outcomes.Select(o => o.Email));
        Assert.Equal((ContactOutcomeKind.Rejected, "too_large"), (result.For("huge@example.com").Kind, result.For("huge@example.com").Code));
        Assert.Equal(3, Assert.Single(h.Requests("POST", UpsertPath)).Items);
        Assert.Equal("Two", FirstNameOf(Inspect(h, "two@example.com")!));
        Assert.Null(Inspect(h, "huge@example.com"));
        Assert.Null(Inspect(h, "four@example.com"));
    }

    [Fact]
    public async Task A_streamed_import_of_only_contacts_too_large_sends_nothing()
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["MaxBatchBytes"] = "4096" });
        var batch = Streamed(h).OpenBatch(await AccountAsync(h), ListId);
        Assert.True(batch.TryAdd(Padded("huge@example.com", 5000)));
        var outcome = Assert.Single((await batch.SendAsync(Ct)).Outcomes);
        Assert.Equal((ContactOutcomeKind.Rejected, "too_large"), (outcome.Kind, outcome.Code));
        Assert.Empty(h.Requests("POST", UpsertPath));
    }

    [Fact]
    public async Task A_streamed_import_the_platform_still_throttles_after_the_retries_comes_back_deferred_with_the_wait()
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["Retry:MaxRetries"] = "0" });
        h.Platform.Faults.Configure(f => { f.TooManyRequestsShare = 1; f.RetryAfter = TimeSpan.FromSeconds(7); });
        var batch = Streamed(h).OpenBatch(await AccountAsync(h), ListId);
        Assert.True(batch.TryAdd(Contact("later1@example.com", "L1")));
        Assert.True(batch.TryAdd(Contact("later2@example.com", "L2")));
        var result = await batch.SendAsync(Ct);
        Assert.Equal(["later1@example.com", "later2@example.com"], result.Outcomes.Select(o => o.Email));
        Assert.All(result.Outcomes, o => Assert.Equal(ContactOutcomeKind.Deferred, o.Kind));
        Assert.Equal(TimeSpan.FromSeconds(7), result.RetryAfter);
        Assert.Equal(429, Assert.Single(h.Requests("POST", UpsertPath)).Status);
    }
}
