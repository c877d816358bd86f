namespace SegmentExport.Destinations;

/// <summary>
/// What every platform's section (<c>Destinations:{Platform}</c>) holds: where the API is, how big a batch may be,
/// the limits to keep to and the retry numbers. Durations are <see cref="TimeSpan"/>s (<c>"00:00:30"</c>).
/// </summary>
public abstract class DestinationSettings
{
    /// <summary>The API base, ending in a slash; platform templates such as <c>{dc}</c> or <c>{account}</c> are filled per call.</summary>
    public string BaseUrl { get; set; } = "";

    public int MaxBatchContacts { get; set; }

    public long MaxBatchBytes { get; set; }

    /// <summary>
    /// Batches an export run keeps in flight at once (a batch is in flight until its outcome is known, polls included):
    /// the engine sends this many pages side by side, each page's batches one after another. The rate and concurrency
    /// limits below still apply to every request.
    /// </summary>
    public int BatchesInFlight { get; set; } = 1;

    /// <summary>Requests in flight per account; null or 0 for none.</summary>
    public int? MaxConcurrentRequests { get; set; }

    /// <summary>Requests per second per account; null or 0 for none.</summary>
    public int? RequestsPerSecond { get; set; }

    /// <summary>Bulk (multi-contact) requests per minute per account; null or 0 for none.</summary>
    public int? BulkRequestsPerMinute { get; set; }

    /// <summary>
    /// The most a warm request spends leaving here and travelling to the platform, which counts it on arrival: a rate
    /// permit is reused a full window after the answer less the fastest round trip seen less this margin (the least
    /// the platform's work and the way back take). Each 1 s window costs it (50 ms: 95% of the rate).
    /// </summary>
    public TimeSpan RateWindowMargin { get; set; } = TimeSpan.FromMilliseconds(50);

    public RetrySettings Retry { get; set; } = new();

    /// <summary>Problems as (setting, message) pairs; the validator prefixes the section path.</summary>
    public virtual IEnumerable<(string Setting, string Problem)> Validate()
    {
        if (!Uri.TryCreate(BaseUrl.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https"))
        {
            yield return (nameof(BaseUrl), $"must be an absolute http(s) URL, not '{BaseUrl}'");
        }
        else if (!BaseUrl.EndsWith('/'))
        {
            yield return (nameof(BaseUrl), $"must end in '/', not '{BaseUrl}'");
        }

        if (MaxBatchContacts < 1)
        {
            yield return (nameof(MaxBatchContacts), $"must be at least 1, not {MaxBatchContacts}");
        }

        if (MaxBatchBytes < 1024)
        {
            yield return (nameof(MaxBatchBytes), $"must be at least 1024, not {MaxBatchBytes}");
        }

        if (BatchesInFlight is < 1 or > 100)
        {
            yield return (nameof(BatchesInFlight), $"must be between 1 and 100, not {BatchesInFlight}");
        }

        foreach (var (name, value) in new[] { (nameof(MaxConcurrentRequests), MaxConcurrentRequests), (nameof(RequestsPerSecond), RequestsPerSecond), (nameof(BulkRequestsPerMinute), BulkRequestsPerMinute) })
        {
            if (value < 0)
            {
                yield return (name, $"must not be negative, not {value}");
            }
        }

        if (RateWindowMargin < TimeSpan.Zero)
        {
            yield return (nameof(RateWindowMargin), $"must not be negative, not {RateWindowMargin}");
        }

        foreach (var (setting, problem) in Retry.Validate())
        {
            yield return ($"{nameof(Retry)}:{setting}", problem);
        }
    }
}

/// <summary>Section <c>Destinations:{Platform}:Retry</c>: the resilience pipeline's numbers.</summary>
public sealed class RetrySettings
{
    public int MaxRetries { get; set; } = 5;

    /// <summary>First backoff step; later ones double, with jitter, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt's limit; Mailchimp itself gives up after 120 s (provider-apis 1.7).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>A longer Retry-After than this is not waited out here: the batch comes back deferred instead.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<(string Setting, string Problem)> Validate()
    {
        if (MaxRetries is < 0 or > 20)
        {
            yield return (nameof(MaxRetries), $"must be between 0 and 20, not {MaxRetries}");
        }

        foreach (var (name, value) in new[] { (nameof(BaseDelay), BaseDelay), (nameof(MaxDelay), MaxDelay), (nameof(AttemptTimeout), AttemptTimeout), (nameof(MaxRetryAfter), MaxRetryAfter) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return (name, $"must be positive, not {value}");
            }
        }

        if (MaxDelay < BaseDelay)
        {
            yield return (nameof(MaxDelay), $"must be at least BaseDelay ({BaseDelay}), not {MaxDelay}");
        }
    }
}

/// <summary>How an asynchronous import or activity is polled: waits grow by <see cref="Factor"/> up to <see cref="MaxDelay"/>.</summary>
public sealed class PollSettings
{
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    public double Factor { get; set; } = 2;

    /// <summary>Give up (and fail the batch) when the platform has not finished by then.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    public IEnumerable<(string Setting, string Problem)> Validate()
    {
        if (InitialDelay <= TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            yield return (nameof(InitialDelay), $"must be positive and at most MaxDelay ({MaxDelay}), not {InitialDelay}");
        }

        if (Factor < 1)
        {
            yield return (nameof(Factor), $"must be at least 1, not {Factor}");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            yield return (nameof(Timeout), $"must be positive, not {Timeout}");
        }
    }
}
