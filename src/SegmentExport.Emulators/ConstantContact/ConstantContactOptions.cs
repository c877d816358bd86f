using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ConstantContact;

/// <summary>Configuration section <c>Sandbox:ConstantContact</c>. Empty collections get the default sandbox seed.</summary>
public sealed class ConstantContactOptions : PlatformOptions
{
    /// <summary>The "API key" is the OAuth client id (provider-apis 3.2).</summary>
    public const string DefaultClientId = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    public const string DefaultClientSecret = "sandbox-constantcontact-secret";
    public const string NewsletterListId = "0c3ab1a0-5e1d-4c1a-9a10-000000000001";
    public const string CustomersListId = "0c3ab1a0-5e1d-4c1a-9a10-000000000002";

    public List<OAuthClientOptions> OAuthClients { get; set; } = [];

    public string OrganizationName { get; set; } = "SegmentExport Sandbox";

    public string AccountEmail { get; set; } = "owner@sandbox.example";

    /// <summary>24 h by default (provider-apis 3.2); set shorter to exercise expiry.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Rotating (single-use) refresh tokens are the default; false gives long-lived ones (provider-apis 3.2).</summary>
    public bool RotateRefreshTokens { get; set; } = true;

    public TimeSpan RefreshTokenIdleLifetime { get; set; } = TimeSpan.FromDays(180);

    /// <summary>4 requests/second and 10,000/day per API key (provider-apis 3.7).</summary>
    public int RequestsPerSecond { get; set; } = 4;

    public int RequestsPerDay { get; set; } = 10_000;

    /// <summary>The token endpoint allows 1 request/second per client (provider-apis 3.2).</summary>
    public int TokenRequestsPerSecond { get; set; } = 1;

    /// <summary>More queued bulk activities than this gives 429 (provider-apis 3.3, 3.7).</summary>
    public int MaxQueuedActivities { get; set; } = 1_000;

    /// <summary>≤ 40,000 contacts per JSON import (provider-apis 3.3).</summary>
    public int MaxImportContacts { get; set; } = 40_000;

    /// <summary>Payload &lt; 4 MB; past it only the contacts inside the first 4 MB are imported (provider-apis 3.3).</summary>
    public int MaxImportBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Bodies larger than this are refused outright (413), to bound the emulator's memory.</summary>
    public int HardBodyLimitBytes { get; set; } = 32 * 1024 * 1024;

    public int MaxContactIdsPerActivity { get; set; } = 500;

    /// <summary>How long an activity stays <c>initialized</c>, then <c>processing</c>, before <c>completed</c>.</summary>
    public TimeSpan ActivityInitialized { get; set; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan ActivityProcessing { get; set; } = TimeSpan.FromMilliseconds(300);

    public override void ApplyDefaults()
    {
        if (OAuthClients.Count == 0)
        {
            OAuthClients.Add(new OAuthClientOptions { ClientId = DefaultClientId, ClientSecret = DefaultClientSecret });
        }

        if (Lists.Count == 0)
        {
            List<SeedField> fields = [new() { Key = "company_size", Name = "Company Size" }, new() { Key = "loyalty_tier", Name = "Loyalty Tier" }];
            Lists.Add(new SeedList
            {
                Id = NewsletterListId,
                Name = "Sandbox Newsletter",
                Fields = fields,
                Contacts =
                [
                    SeedContact.Of("alice@example.com", "implicit", ("first_name", "Alice"), ("cf:loyalty_tier", "gold")),
                    SeedContact.Of("bob@example.com", "explicit", ("first_name", "Bob")),
                    SeedContact.Of("unsubscribed@example.com", "unsubscribed", ("first_name", "Una")),
                ],
            });
            Lists.Add(new SeedList { Id = CustomersListId, Name = "Sandbox Customers", Contacts = [SeedContact.Of("carol@example.com", "implicit")] });
        }
    }

    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        foreach (var list in Lists.Where(l => !Guid.TryParse(l.Id, out _)))
        {
            yield return $"Lists: Constant Contact list ids are UUIDs, not '{list.Id}'.";
        }

        if (AccessTokenLifetime <= TimeSpan.Zero)
        {
            yield return $"AccessTokenLifetime must be positive, not {AccessTokenLifetime}.";
        }

        if (RequestsPerSecond < 1 || RequestsPerDay < 1 || TokenRequestsPerSecond < 1 || MaxQueuedActivities < 1 || MaxImportContacts < 1 || MaxImportBytes < 1)
        {
            yield return "RequestsPerSecond, RequestsPerDay, TokenRequestsPerSecond, MaxQueuedActivities, MaxImportContacts and MaxImportBytes must each be at least 1.";
        }

        if (HardBodyLimitBytes < MaxImportBytes)
        {
            yield return $"HardBodyLimitBytes ({HardBodyLimitBytes}) must be at least MaxImportBytes ({MaxImportBytes}).";
        }
    }
}
