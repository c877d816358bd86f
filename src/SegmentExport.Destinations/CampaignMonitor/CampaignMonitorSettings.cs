namespace SegmentExport.Destinations.CampaignMonitor;

/// <summary>Section <c>Destinations:CampaignMonitor</c> (provider-apis section 4).</summary>
public sealed class CampaignMonitorSettings : DestinationSettings
{
    public CampaignMonitorSettings()
    {
        BaseUrl = "https://api.createsend.com/api/v3.3/";

        // 1,000 subscribers per import (provider-apis 4.3); no payload cap and no rate limit is published (4.7).
        MaxBatchContacts = 1_000;
        MaxBatchBytes = 10_000_000;

        // No concurrency limit is published and parallel imports are UNCONFIRMED as safe (provider-apis 4.7): one at a time.
        BatchesInFlight = 1;
    }

    /// <summary>Required on v3.3 (codes 214/215, provider-apis 4.3): <c>Yes</c>, <c>No</c> or <c>Unchanged</c>.</summary>
    public string ConsentToTrack { get; set; } = "Unchanged";

    /// <summary>Unsubscribe and delete take one email per call (provider-apis 4.5): how many run at once.</summary>
    public int RemoveParallelism { get; set; } = 4;

    public override IEnumerable<(string Setting, string Problem)> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        if (ConsentToTrack is not ("Yes" or "No" or "Unchanged"))
        {
            yield return (nameof(ConsentToTrack), $"must be Yes, No or Unchanged, not '{ConsentToTrack}'");
        }

        if (MaxBatchContacts > 1_000)
        {
            yield return (nameof(MaxBatchContacts), $"must be at most 1000 (Campaign Monitor's import limit), not {MaxBatchContacts}");
        }

        if (RemoveParallelism is < 1 or > 32)
        {
            yield return (nameof(RemoveParallelism), $"must be between 1 and 32, not {RemoveParallelism}");
        }
    }
}
