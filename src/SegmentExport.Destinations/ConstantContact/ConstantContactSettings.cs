namespace SegmentExport.Destinations.ConstantContact;

/// <summary>Section <c>Destinations:ConstantContact</c> (provider-apis section 3).</summary>
public sealed class ConstantContactSettings : DestinationSettings
{
    public ConstantContactSettings()
    {
        BaseUrl = "https://api.cc.email/v3/";

        // ≤ 40,000 contacts and < 4 MB per JSON import; past 4 MB the rest is silently dropped, so stay well under (3.3).
        MaxBatchContacts = 40_000;
        MaxBatchBytes = 4_000_000;

        // One activity at a time by default (a crash re-sends at most one); 2 keep one uploading while the other is processed.
        BatchesInFlight = 1;

        // 4 requests a second per API key, i.e. per application, whichever account (provider-apis 3.7).
        RequestsPerSecond = 4;
    }

    public PollSettings Poll { get; set; } = new();

    /// <summary>
    /// Up to this many emails are looked up one by one (<c>GET /contacts?email=</c>); more, and the list's members are
    /// walked 500 a page instead (provider-apis 3.5), which costs fewer requests for big batches.
    /// </summary>
    public int LookupByEmailMax { get; set; } = 50;

    public override IEnumerable<(string Setting, string Problem)> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }

        if (MaxBatchContacts > 40_000)
        {
            yield return (nameof(MaxBatchContacts), $"must be at most 40000 (Constant Contact's import limit), not {MaxBatchContacts}");
        }

        if (MaxBatchBytes >= 4 * 1024 * 1024)
        {
            yield return (nameof(MaxBatchBytes), $"must be under 4 MB (4194304), or Constant Contact drops the rest silently, not {MaxBatchBytes}");
        }

        if (LookupByEmailMax < 0)
        {
            yield return (nameof(LookupByEmailMax), $"must not be negative, not {LookupByEmailMax}");
        }

        foreach (var (setting, problem) in Poll.Validate())
        {
            yield return ($"{nameof(Poll)}:{setting}", problem);
        }
    }
}
