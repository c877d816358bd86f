using SegmentExport.Destinations;

namespace SegmentExport.Web.Exports;

/// <summary>
/// Roughly how long sending <c>members</c> contacts takes on a platform, from its published limits alone: batches of
/// <see cref="BatchLimits.MaxContacts"/>, at the request rate (or, with only a concurrency limit, about one batch per
/// second per slot). Network time and retries come on top, so it is a floor, stated as "about".
/// </summary>
public static class ExportEstimate
{
    public static TimeSpan For(long members, DestinationDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        if (members <= 0)
        {
            return TimeSpan.Zero;
        }

        var batches = Math.Ceiling(members / (double)Math.Max(1, description.Batch.MaxContacts));
        var perSecond = description.Rate.RequestsPerSecond
            ?? (description.Rate.BulkRequestsPerMinute is int perMinute ? perMinute / 60.0 : (double?)null)
            ?? description.Rate.MaxConcurrentRequests
            ?? 1.0;
        return TimeSpan.FromSeconds(Math.Max(1, batches / Math.Max(0.01, perSecond)));
    }

    public static string Describe(TimeSpan time) => time.TotalSeconds switch
    {
        < 60 => "under a minute",
        < 3600 => $"about {Math.Ceiling(time.TotalMinutes):0} minutes",
        _ => $"about {time.TotalHours:0.#} hours",
    };
}
