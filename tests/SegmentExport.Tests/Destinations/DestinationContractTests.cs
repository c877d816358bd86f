using System.Diagnostics;
using SegmentExport.Destinations;
using SegmentExport.Emulators;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Tests.Destinations;

/// <summary>
/// The destination contract, run against each platform's emulator over real HTTP. A subclass says how to reach its
/// platform and how that platform spells states; the behaviour asked for is the same for all four.
/// </summary>
public abstract partial class DestinationContractTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The emulator's platform name (<c>mailchimp</c>) and the settings section (<c>Mailchimp</c>).</summary>
    protected abstract string PlatformName { get; }

    protected abstract string Section { get; }

    protected abstract string ListId { get; }

    /// <summary>A seeded subscribed contact, and one the platform holds as unsubscribed.</summary>
    protected virtual string ExistingEmail => "bob@example.com";

    protected virtual string UnsubscribedEmail => "unsubscribed@example.com";

    /// <summary>An address the platform takes in the request but refuses per row.</summary>
    protected virtual string InvalidEmail => "someone@invalid";

    /// <summary>What a new and an existing contact come back as: platforms with imports cannot tell them apart.</summary>
    protected virtual ContactOutcomeKind CreatedKind => ContactOutcomeKind.Created;

    protected virtual ContactOutcomeKind UpdatedKind => ContactOutcomeKind.Updated;

    /// <summary>Requests an upsert makes before the batch itself (e.g. reading exclusions), so a fault lands on the batch.</summary>
    protected virtual int RequestsBeforeUpsert => 0;

    /// <summary>What an unsubscribed contact comes back as; platforms whose imports do not say so report it written.</summary>
    protected virtual ContactOutcomeKind UnsubscribedKind => ContactOutcomeKind.Skipped;

    /// <summary>The path ending of the request that carries a batch of contacts.</summary>
    protected abstract string UpsertPath { get; }

    protected abstract IDictionary<string, string?> BaseSettings(Uri sandboxRoot);

    protected abstract Task<DestinationAccount> AccountAsync(DestinationHarness harness);

    /// <summary>An account whose credentials the platform refuses; <paramref name="onRefresh"/> counts refresh calls where the platform has them.</summary>
    protected abstract Task<DestinationAccount> RejectedAccountAsync(DestinationHarness harness, Action onRefresh);

    /// <summary>How many refreshes a rejected OAuth account attempts: one for platforms with refresh tokens, else none.</summary>
    protected virtual int ExpectedRefreshes => 0;

    protected virtual string FirstNameKey => StandardFields.FirstName;

    /// <summary>The first name as the emulator stores it.</summary>
    protected abstract string? FirstNameOf(InspectedContact contact);

    protected abstract bool IsUnsubscribed(InspectedContact contact);

    protected abstract bool IsGone(InspectedContact? contact);

    /// <summary>Whether the email is off the list (or archived/deleted in it), as the emulator's inspection shows.</summary>
    protected virtual bool IsGoneFromList(DestinationHarness harness, string email) => IsGone(Inspect(harness, email));

    /// <summary>A contact about <paramref name="bytes"/> bytes long on the wire, padded in a field the platform keeps whole.</summary>
    protected virtual ContactRecord Padded(string email, int bytes) => Contact(email, "P" + new string('x', bytes));

    protected virtual void ConfigureSandbox(SandboxStartOptions options)
    {
    }

    protected async Task<DestinationHarness> StartAsync(IDictionary<string, string?>? settings = null, Action<SandboxStartOptions>? sandbox = null) =>
        await DestinationHarness.StartAsync(PlatformName, Section, BaseSettings, o =>
        {
            ConfigureSandbox(o);
            sandbox?.Invoke(o);
        }, settings);

    protected IDestination Destination(DestinationHarness harness) =>
        harness.Get<IEnumerable<IDestination>>().Single(d => d.Description.Key == PlatformName);

    protected InspectedContact? Inspect(DestinationHarness harness, string email) => harness.Platform.InspectContact(ListId, email);

    protected ContactRecord Contact(string email, string firstName, params (string Key, string? Value)[] more) =>
        ContactRecord.Of(email, [(FirstNameKey, firstName), .. more]);

    [Fact]
    public async Task Checking_credentials_returns_the_account_name()
    {
        await using var h = await StartAsync();
        var name = await Destination(h).CheckCredentialsAsync(await AccountAsync(h), Ct);
        Assert.False(string.IsNullOrWhiteSpace(name));
    }

    [Fact]
    public async Task Lists_are_listed_and_one_list_is_found_by_id_while_an_unknown_id_is_null()
    {
        await using var h = await StartAsync();
        var destination = Destination(h);
        var account = await AccountAsync(h);
        var page = await destination.GetListsAsync(account, null, Ct);
        Assert.Contains(page.Lists, l => l.Id == ListId);
        var list = await destination.GetListAsync(account, ListId, Ct);
        Assert.Equal(ListId, list?.Id);
        Assert.Null(await destination.GetListAsync(account, UnknownListId, Ct));
    }

    protected virtual string UnknownListId => "0";

    [Fact]
    public async Task Creates_a_new_contact()
    {
        await using var h = await StartAsync();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId, [Contact("new.person@example.com", "Nora")], Ct);
        Assert.Equal(CreatedKind, result.For("new.person@example.com").Kind);
        Assert.Equal("Nora", FirstNameOf(Assert.IsType<InspectedContact>(Inspect(h, "new.person@example.com"))));
    }

    [Fact]
    public async Task Updates_an_existing_contact()
    {
        await using var h = await StartAsync();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId, [Contact(ExistingEmail, "Robert")], Ct);
        Assert.Equal(UpdatedKind, result.For(ExistingEmail).Kind);
        Assert.Equal("Robert", FirstNameOf(Assert.IsType<InspectedContact>(Inspect(h, ExistingEmail))));
    }

    [Fact]
    public async Task Sending_an_unchanged_contact_again_changes_nothing()
    {
        await using var h = await StartAsync();
        var destination = Destination(h);
        var account = await AccountAsync(h);
        await destination.UpsertAsync(account, ListId, [Contact("twice@example.com", "Tess")], Ct);
        var before = h.Platform.InspectLists().Single(l => l.Id == ListId).ContactCount;
        var again = await destination.UpsertAsync(account, ListId, [Contact("twice@example.com", "Tess")], Ct);
        Assert.Equal(UpdatedKind, again.For("twice@example.com").Kind);
        Assert.Equal(before, h.Platform.InspectLists().Single(l => l.Id == ListId).ContactCount);
        Assert.Equal("Tess", FirstNameOf(Inspect(h, "twice@example.com")!));
    }

    [Fact]
    public async Task An_invalid_email_is_rejected_with_the_platform_reason_and_the_rest_are_written()
    {
        await using var h = await StartAsync();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId, [Contact(InvalidEmail, "Ivy"), Contact("valid@example.com", "Val")], Ct);
        var rejected = result.For(InvalidEmail);
        Assert.Equal(ContactOutcomeKind.Rejected, rejected.Kind);
        Assert.False(string.IsNullOrWhiteSpace(rejected.Code));
        Assert.False(string.IsNullOrWhiteSpace(rejected.Message));
        Assert.Equal(CreatedKind, result.For("valid@example.com").Kind);
        Assert.NotNull(Inspect(h, "valid@example.com"));
    }

    [Fact]
    public async Task An_unsubscribed_contact_is_skipped_with_a_reason_and_stays_unsubscribed()
    {
        await using var h = await StartAsync();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId, [Contact(UnsubscribedEmail, "Una")], Ct);
        var outcome = result.For(UnsubscribedEmail);
        Assert.Equal(UnsubscribedKind, outcome.Kind);
        Assert.True(outcome.Kind != ContactOutcomeKind.Skipped || !string.IsNullOrWhiteSpace(outcome.Code));
        Assert.True(IsUnsubscribed(Inspect(h, UnsubscribedEmail)!));
    }

    [Fact]
    public async Task A_batch_is_split_by_bytes_when_the_contacts_do_not_fit_in_one_request()
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["MaxBatchBytes"] = "4096" });
        var padded = Enumerable.Range(0, 12).Select(i => Padded($"wide{i}@example.com", 600)).ToList();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId, padded, Ct);
        Assert.All(result.Outcomes, o => Assert.Equal(CreatedKind, o.Kind));
        Assert.True(h.Requests("POST", UpsertPath).Count >= 2, "expected more than one batch request");
        Assert.All(padded, c => Assert.NotNull(Inspect(h, c.Email)));
    }

    [Fact]
    public async Task A_429_is_retried_after_the_Retry_After_the_platform_sent()
    {
        await using var h = await StartAsync();
        var account = await AccountAsync(h);
        h.Platform.Faults.Configure(f => { f.TooManyRequestsShare = 0.05; f.Seed = FaultSeeds.OnlyRequest(RequestsBeforeUpsert); f.RetryAfter = TimeSpan.FromSeconds(1); });
        var watch = Stopwatch.StartNew();
        var result = await Destination(h).UpsertAsync(account, ListId, [Contact("patient@example.com", "Pat")], Ct);
        Assert.Equal(CreatedKind, result.For("patient@example.com").Kind);
        var tries = h.Requests("POST", UpsertPath);
        Assert.Equal(2, tries.Count);
        Assert.Equal(429, tries[0].Status);
        Assert.InRange(tries[1].Status, 200, 299);
        Assert.InRange(tries[1].At - tries[0].At, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(5));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(950));
    }

    [Fact]
    public async Task A_503_is_retried_and_then_succeeds()
    {
        await using var h = await StartAsync();
        var account = await AccountAsync(h);
        h.Platform.Faults.Configure(f => { f.ServiceUnavailableShare = 0.05; f.Seed = FaultSeeds.OnlyRequest(RequestsBeforeUpsert); });
        var result = await Destination(h).UpsertAsync(account, ListId, [Contact("again@example.com", "Aga")], Ct);
        Assert.Equal(CreatedKind, result.For("again@example.com").Kind);
        Assert.Equal(503, h.Requests("POST", UpsertPath)[0].Status);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_and_then_succeeds()
    {
        await using var h = await StartAsync();
        var account = await AccountAsync(h);
        h.Platform.Faults.Configure(f => { f.DropConnectionShare = 0.05; f.Seed = FaultSeeds.OnlyRequest(RequestsBeforeUpsert); });
        var result = await Destination(h).UpsertAsync(account, ListId, [Contact("dropped@example.com", "Dot")], Ct);
        Assert.Equal(CreatedKind, result.For("dropped@example.com").Kind);
        Assert.NotNull(Inspect(h, "dropped@example.com"));
    }

    [Fact]
    public async Task Rejected_credentials_are_not_retried_beyond_one_refresh()
    {
        await using var h = await StartAsync();
        var refreshes = 0;
        var account = await RejectedAccountAsync(h, () => Interlocked.Increment(ref refreshes));
        var before = h.Requests().Count;
        await Assert.ThrowsAsync<CredentialsRejectedException>(() => Destination(h).UpsertAsync(account, ListId, [Contact("nobody@example.com", "No")], Ct));
        Assert.Equal(ExpectedRefreshes, refreshes);
        Assert.Equal(1 + ExpectedRefreshes, h.Requests().Count - before);
    }

    [Fact]
    public async Task Cancelling_mid_batch_stops_before_the_remaining_batches()
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["MaxBatchContacts"] = "2" });
        var account = await AccountAsync(h);
        h.Platform.Faults.Configure(f => f.Latency = TimeSpan.FromMilliseconds(300));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var contacts = Enumerable.Range(0, 10).Select(i => Contact($"cancel{i}@example.com", "C")).ToList();
        var upsert = Destination(h).UpsertAsync(account, ListId, contacts, cancel.Token);
        await Poll.UntilAsync(() => h.Requests("POST", UpsertPath).Count >= 1, "the first batch was answered");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upsert);
        Assert.InRange(h.Requests("POST", UpsertPath).Count, 1, 3);
        Assert.Null(Inspect(h, "cancel9@example.com"));
    }
}
