using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.CampaignMonitor;

/// <summary>Configuration section <c>Sandbox:CampaignMonitor</c>. Empty collections get the default sandbox seed.</summary>
public sealed class CampaignMonitorOptions : PlatformOptions
{
    public const string DefaultApiKey = "sandbox0campaignmonitor0apikey0000000000000000001";
    public const string DefaultClientId = "c1a2b3c4d5e6f708192a3b4c5d6e7f80";
    public const string NewsletterListId = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    public const string CustomersListId = "0f9e8d7c6b5a49382716051a2b3c4d5e";

    public List<string> ApiKeys { get; set; } = [];

    /// <summary>The one client (sub-account) that owns every seeded list (provider-apis 4.1).</summary>
    public string ClientId { get; set; } = DefaultClientId;

    public string ClientName { get; set; } = "SegmentExport Sandbox Client";

    public List<OAuthClientOptions> OAuthClients { get; set; } = [];

    /// <summary>List id to <c>AllClientLists</c> or <c>OnlyThisList</c> (provider-apis 4.5); unlisted lists use OnlyThisList.</summary>
    public Dictionary<string, string> UnsubscribeSettings { get; set; } = [];

    /// <summary>Addresses on the suppression list: imports fail them with code 204 (provider-apis 4.9).</summary>
    public List<string> Suppressed { get; set; } = [];

    /// <summary>14 days (provider-apis 4.2).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>UNCONFIRMED (provider-apis 4.2): the SDK fixture returns the same refresh token, so no rotation by default.</summary>
    public bool RotateRefreshTokens { get; set; }

    public int MaxImportSubscribers { get; set; } = 1_000;

    /// <summary>UNCONFIRMED (provider-apis 4.3): the HTTP status of a fully successful import. 201 like other creates.</summary>
    public int ImportSuccessStatus { get; set; } = 201;

    /// <summary>
    /// UNCONFIRMED (provider-apis 4.9): whether rows for deleted, unsubscribed or bounced subscribers (imported without
    /// <c>Resubscribe</c>) appear in FailureDetails with codes 205/206/207. On by default so clients can record why.
    /// </summary>
    public bool ReportInactiveRowsAsFailures { get; set; } = true;

    public override void ApplyDefaults()
    {
        if (ApiKeys.Count == 0)
        {
            ApiKeys.Add(DefaultApiKey);
        }

        if (OAuthClients.Count == 0)
        {
            OAuthClients.Add(new OAuthClientOptions { ClientId = "1001", ClientSecret = "sandbox-campaignmonitor-secret" });
        }

        if (Suppressed.Count == 0)
        {
            Suppressed.Add("suppressed@example.com");
        }

        if (Lists.Count == 0)
        {
            List<SeedField> fields = [new() { Key = "website", Name = "website" }, new() { Key = "LoyaltyTier", Name = "Loyalty Tier", Type = "MultiSelectOne" }];
            Lists.Add(new SeedList
            {
                Id = NewsletterListId,
                Name = "Sandbox Newsletter",
                Fields = fields,
                Contacts =
                [
                    SeedContact.Of("alice@example.com", "Active", ("Name", "Alice Archer"), ("website", "https://alice.example")),
                    SeedContact.Of("bob@example.com", "Active", ("Name", "Bob")),
                    SeedContact.Of("unsubscribed@example.com", "Unsubscribed", ("Name", "Una")),
                    SeedContact.Of("bounced@example.com", "Bounced"),
                    SeedContact.Of("deleted@example.com", "Deleted"),
                ],
            });
            Lists.Add(new SeedList { Id = CustomersListId, Name = "Sandbox Customers", Fields = fields, Contacts = [SeedContact.Of("carol@example.com", "Active")] });
        }
    }

    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        foreach (var (list, setting) in UnsubscribeSettings.Where(s => s.Value is not ("AllClientLists" or "OnlyThisList")))
        {
            yield return $"UnsubscribeSettings[{list}] must be AllClientLists or OnlyThisList, not '{setting}'.";
        }

        if (MaxImportSubscribers < 1 || AccessTokenLifetime <= TimeSpan.Zero || ImportSuccessStatus is not (200 or 201))
        {
            yield return $"MaxImportSubscribers ({MaxImportSubscribers}) must be at least 1, AccessTokenLifetime positive, ImportSuccessStatus 200 or 201 (not {ImportSuccessStatus}).";
        }
    }
}
