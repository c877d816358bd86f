namespace SegmentExport.Destinations.ActiveCampaign;

/// <summary>Section <c>Destinations:ActiveCampaign</c> (provider-apis section 2).</summary>
public sealed class ActiveCampaignSettings : DestinationSettings
{
    public ActiveCampaignSettings()
    {
        // {account} is the connection's account name (DestinationAccount.AccountId), provider-apis 2.1.
        BaseUrl = "https://{account}.api-us1.com/api/3/";

        // ≤ 250 contacts and 400,000 bytes per bulk import; 100 imports a minute; 5 requests a second per account (2.3, 2.7).
        MaxBatchContacts = 250;
        MaxBatchBytes = 400_000;

        // One import at a time by default: a crash re-sends at most one batch and a revoked token fails one request.
        // Imports are queued and polled, so one at a time reaches about 30 a minute; 10 keep the 100 a minute going.
        BatchesInFlight = 1;
        RequestsPerSecond = 5;
        BulkRequestsPerMinute = 100;
    }

    public PollSettings Poll { get; set; } = new();

    /// <summary>How long a read of the account's exclusion list is reused before it is read again.</summary>
    public TimeSpan ExclusionsFresh { get; set; } = TimeSpan.FromMinutes(1);

    public override IEnumerable<(string Setting, string Problem)> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        if (!BaseUrl.Contains("{account}", StringComparison.Ordinal))
        {
            yield return (nameof(BaseUrl), $"must contain '{{account}}' (the account's API host is per account), not '{BaseUrl}'");
        }

        if (ExclusionsFresh < TimeSpan.Zero)
        {
            yield return (nameof(ExclusionsFresh), $"must not be negative, not {ExclusionsFresh}");
        }

        foreach (var (setting, problem) in Poll.Validate())
        {
            yield return ($"{nameof(Poll)}:{setting}", problem);
        }
    }
}
