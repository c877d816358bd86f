using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>Configuration section <c>Sandbox:ActiveCampaign</c>. Empty collections get the default sandbox seed.</summary>
public sealed class ActiveCampaignOptions : PlatformOptions
{
    public const string DefaultApiToken = "sandbox0activecampaign0token00000000000000000000000000000000001";

    /// <summary>The account name in the host (<c>{account}.api-us1.com</c>); here the path segment after <c>/activecampaign/</c>.</summary>
    public string AccountName { get; set; } = "sandbox";

    public List<string> ApiTokens { get; set; } = [];

    /// <summary>Emails on the account's exclusion list: bulk import skips them (provider-apis 2.3).</summary>
    public List<string> Exclusions { get; set; } = [];

    /// <summary>5 requests per second per account, every key together (provider-apis 2.7).</summary>
    public int RequestsPerSecond { get; set; } = 5;

    /// <summary>100 multi-contact imports per minute (provider-apis 2.3).</summary>
    public int BulkImportsPerMinute { get; set; } = 100;

    /// <summary>
    /// UNCONFIRMED (provider-apis 2.3): the spec shows the bulk-import rate-limit body under 400; the issue asks for 429.
    /// 429 by default; set 400 to mimic the spec example.
    /// </summary>
    public int BulkImportRateLimitStatus { get; set; } = 429;

    public int MaxImportContacts { get; set; } = 250;

    public int MaxImportBytes { get; set; } = 400_000;

    /// <summary><c>import/info</c> answers <c>status:false</c> when polled this soon after the POST (provider-apis 2.3: "about 1 s").</summary>
    public TimeSpan ImportStatusFalseFor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an import stays <c>waiting</c>, then <c>claimed</c>, then <c>active</c> before <c>completed</c>.</summary>
    public TimeSpan ImportWaiting { get; set; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan ImportClaimed { get; set; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan ImportActive { get; set; } = TimeSpan.FromMilliseconds(300);

    public override void ApplyDefaults()
    {
        if (ApiTokens.Count == 0)
        {
            ApiTokens.Add(DefaultApiToken);
        }

        if (Exclusions.Count == 0)
        {
            Exclusions.Add("excluded@example.com");
        }

        if (Lists.Count == 0)
        {
            Lists.Add(new SeedList
            {
                Id = "1",
                Name = "Sandbox Newsletter",
                Fields = [new() { Key = "1", Name = "Company" }, new() { Key = "2", Name = "Interests", Type = "listbox" }],
                Contacts =
                [
                    SeedContact.Of("alice@example.com", "active", ("1", "Alice Ltd")),
                    SeedContact.Of("bob@example.com", "active"),
                    SeedContact.Of("unsubscribed@example.com", "unsubscribed"),
                    SeedContact.Of("bounced@example.com", "bounced"),
                ],
            });
            Lists.Add(new SeedList { Id = "2", Name = "Sandbox Customers", Contacts = [SeedContact.Of("carol@example.com", "active")] });
        }
    }

    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        foreach (var list in Lists.Where(l => !int.TryParse(l.Id, out _)))
        {
            yield return $"Lists: ActiveCampaign list ids are numbers, not '{list.Id}'.";
        }

        foreach (var field in Lists.SelectMany(l => l.Fields).Where(f => !int.TryParse(f.Key, out _)))
        {
            yield return $"Lists.Fields: ActiveCampaign field keys are numeric field ids, not '{field.Key}'.";
        }

        if (RequestsPerSecond < 1 || BulkImportsPerMinute < 1 || MaxImportContacts < 1 || MaxImportBytes < 1)
        {
            yield return "RequestsPerSecond, BulkImportsPerMinute, MaxImportContacts and MaxImportBytes must each be at least 1.";
        }

        if (BulkImportRateLimitStatus is not (400 or 429))
        {
            yield return $"BulkImportRateLimitStatus must be 400 or 429, not {BulkImportRateLimitStatus}.";
        }
    }
}
