using SegmentExport.Destinations;
using SegmentExport.Destinations.Mailchimp;
using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.Mailchimp;

namespace SegmentExport.Tests.Destinations;

public sealed class MailchimpDestinationTests : DestinationContractTests
{
    protected override string PlatformName => "mailchimp";

    protected override string Section => MailchimpDestination.Section;

    protected override string ListId => MailchimpOptions.NewsletterListId;

    protected override string UpsertPath => "/3.0/lists/" + MailchimpOptions.NewsletterListId;

    protected override IDictionary<string, string?> BaseSettings(Uri sandboxRoot) => new Dictionary<string, string?>
    {
        ["BaseUrl"] = sandboxRoot + "mailchimp/{dc}/3.0/",
        ["OAuthMetadataUrl"] = sandboxRoot + "mailchimp/login/oauth2/metadata",
    };

    protected override Task<DestinationAccount> AccountAsync(DestinationHarness harness) =>
        Task.FromResult(new DestinationAccount("mc-1", new ApiKeyCredentials(MailchimpOptions.DefaultApiKey)));

    protected override Task<DestinationAccount> RejectedAccountAsync(DestinationHarness harness, Action onRefresh)
    {
        harness.Sandbox.Mailchimp.Revoke(MailchimpOptions.DefaultApiKey);
        return AccountAsync(harness);
    }

    protected override string? FirstNameOf(InspectedContact contact) => contact.Fields.GetValueOrDefault("FNAME");

    protected override bool IsUnsubscribed(InspectedContact contact) => contact.Status == "unsubscribed";

    protected override bool IsGone(InspectedContact? contact) => contact is null || contact.Status == "archived";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Batch_subscribe_errors_are_per_member_while_the_rest_of_the_batch_is_written(bool partialAnswers)
    {
        await using var h = await StartAsync(new Dictionary<string, string?> { ["PartialAnswers"] = partialAnswers ? "true" : "false" });
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId,
            [Contact("fine@example.com", "Fin"), Contact("bad@nodot", "Bad"), Contact("cleaned@example.com", "Cle"), Contact("alice@example.com", "Alicia")], Ct);
        Assert.Equal(ContactOutcomeKind.Created, result.For("fine@example.com").Kind);
        var bad = result.For("bad@nodot");
        Assert.Equal(ContactOutcomeKind.Rejected, bad.Kind);
        Assert.Equal("ERROR_GENERIC", bad.Code);
        Assert.Contains("looks fake or invalid", bad.Message, StringComparison.Ordinal);
        Assert.Equal(new ContactOutcome("cleaned@example.com", ContactOutcomeKind.Skipped, "cleaned", result.For("cleaned@example.com").Message), result.For("cleaned@example.com"));
        Assert.Equal("cleaned", Inspect(h, "cleaned@example.com")!.Status);
        Assert.Equal(ContactOutcomeKind.Updated, result.For("alice@example.com").Kind);
        // The answer carries each member's email and status only when asked for a partial response.
        var post = Assert.Single(h.Requests("POST", UpsertPath));
        Assert.Equal(partialAnswers, post.Query?.Contains("fields=new_members.email_address", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_refused_partial_answer_is_asked_for_once_and_the_batch_sent_again_without_it()
    {
        await using var h = await StartAsync(sandbox: o => o.Configure<MailchimpOptions>(m => m.BatchSubscribeTakesFields = false));
        var account = await AccountAsync(h);

        var first = await Destination(h).UpsertAsync(account, ListId, [Contact("one@example.com", "One"), Contact("alice@example.com", "Alicia")], Ct);
        var second = await Destination(h).UpsertAsync(account, ListId, [Contact("two@example.com", "Two")], Ct);

        Assert.Equal((ContactOutcomeKind.Created, ContactOutcomeKind.Updated), (first.For("one@example.com").Kind, first.For("alice@example.com").Kind));
        Assert.Equal(ContactOutcomeKind.Created, second.For("two@example.com").Kind);
        Assert.Equal("Two", FirstNameOf(Inspect(h, "two@example.com")!));
        // 400 with fields, 200 without; then without from the start.
        Assert.Equal([(400, true), (200, false), (200, false)],
            h.Requests("POST", UpsertPath).Select(r => (r.Status, r.Query?.Contains("fields=", StringComparison.Ordinal) == true)));
    }

    [Fact]
    public async Task Tags_are_added_through_static_segments_and_created_when_missing()
    {
        await using var h = await StartAsync();
        var contact = Contact("tagged@example.com", "Tag") with { Tags = ["vip", "spring-2025"] };
        await Destination(h).UpsertAsync(await AccountAsync(h), ListId, [contact], Ct);
        Assert.Equal(["spring-2025", "vip"], Inspect(h, "tagged@example.com")!.Tags);
    }

    [Fact]
    public async Task An_oauth_token_finds_its_data_center_through_the_metadata_endpoint()
    {
        await using var h = await StartAsync();
        var token = h.Sandbox.Mailchimp.IssueAccessToken();
        var account = new DestinationAccount("mc-oauth", new OAuthCredentials(token));
        Assert.Equal("SegmentExport Sandbox", await Destination(h).CheckCredentialsAsync(account, Ct));
    }

    [Fact]
    public async Task A_revoked_oauth_token_is_credentials_rejected_without_a_refresh()
    {
        await using var h = await StartAsync();
        var token = h.Sandbox.Mailchimp.IssueAccessToken();
        h.Sandbox.Mailchimp.Revoke(token);
        var account = new DestinationAccount("mc-oauth", new OAuthCredentials(token));
        await Assert.ThrowsAsync<CredentialsRejectedException>(() => Destination(h).CheckCredentialsAsync(account, Ct));
    }

    [Fact]
    public async Task Archived_leavers_can_come_back_as_new_members()
    {
        await using var h = await StartAsync();
        var destination = Destination(h);
        var account = await AccountAsync(h);
        await destination.RemoveAsync(account, ListId, ["bob@example.com"], RemoveMode.RemoveFromList, Ct);
        var back = await destination.UpsertAsync(account, ListId, [Contact("bob@example.com", "Bob")], Ct);
        Assert.Equal(ContactOutcomeKind.Created, back.For("bob@example.com").Kind);
        Assert.Equal("subscribed", Inspect(h, "bob@example.com")!.Status);
    }
}
