using SegmentExport.Destinations;
using SegmentExport.Destinations.CampaignMonitor;
using SegmentExport.Emulators.CampaignMonitor;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Tests.Destinations;

public sealed class CampaignMonitorDestinationTests : DestinationContractTests
{
    protected override string PlatformName => "campaignmonitor";

    protected override string Section => CampaignMonitorDestination.Section;

    protected override string ListId => CampaignMonitorOptions.NewsletterListId;

    protected override string UpsertPath => "/import.json";

    protected override string FirstNameKey => StandardFields.Name;

    protected override IDictionary<string, string?> BaseSettings(Uri sandboxRoot) => new Dictionary<string, string?>
    {
        ["BaseUrl"] = sandboxRoot + "campaignmonitor/api/v3.3/",
    };

    protected override Task<DestinationAccount> AccountAsync(DestinationHarness harness) =>
        Task.FromResult(new DestinationAccount("cm-1", new ApiKeyCredentials(CampaignMonitorOptions.DefaultApiKey)));

    protected override Task<DestinationAccount> RejectedAccountAsync(DestinationHarness harness, Action onRefresh)
    {
        harness.Sandbox.CampaignMonitor.Revoke(CampaignMonitorOptions.DefaultApiKey);
        return AccountAsync(harness);
    }

    protected override string? FirstNameOf(InspectedContact contact) => contact.Fields.GetValueOrDefault("Name");

    protected override bool IsUnsubscribed(InspectedContact contact) => contact.Status == "Unsubscribed";

    protected override bool IsGone(InspectedContact? contact) => contact is null || contact.Status == "Deleted";

    [Fact]
    public async Task A_400_with_Code_210_is_a_partial_success_whose_failures_are_rejections()
    {
        await using var h = await StartAsync();
        var result = await Destination(h).UpsertAsync(await AccountAsync(h), ListId,
            [Contact("good@example.com", "Good"), Contact("example+1@example", "Bad"), Contact("bounced@example.com", "Bo")], Ct);
        Assert.Equal(400, h.Requests("POST", UpsertPath).Single().Status);
        Assert.Equal(ContactOutcomeKind.Created, result.For("good@example.com").Kind);
        Assert.Equal(("1", ContactOutcomeKind.Rejected), (result.For("example+1@example").Code, result.For("example+1@example").Kind));
        Assert.Equal(("207", ContactOutcomeKind.Skipped), (result.For("bounced@example.com").Code, result.For("bounced@example.com").Kind));
        Assert.Equal("Active", Inspect(h, "good@example.com")!.Status);
        Assert.Equal("Bounced", Inspect(h, "bounced@example.com")!.Status);
    }

    [Fact]
    public async Task First_and_last_name_are_joined_into_the_single_name_field_and_custom_fields_go_by_key()
    {
        await using var h = await StartAsync();
        var destination = Destination(h);
        var account = await AccountAsync(h);
        var fields = await destination.GetFieldsAsync(account, ListId, Ct);
        Assert.Contains(fields, f => f.Key == "website" && f.Type == FieldType.Text);
        await destination.UpsertAsync(account, ListId, [ContactRecord.Of("joined@example.com", (StandardFields.FirstName, "Jo"), (StandardFields.LastName, "Ined"), ("website", "https://jo.example"))], Ct);
        var stored = Inspect(h, "joined@example.com")!;
        Assert.Equal("Jo Ined", stored.Fields["Name"]);
        Assert.Contains(stored.Fields, f => f.Key.Trim('[', ']') == "website" && f.Value == "https://jo.example");
    }
}
