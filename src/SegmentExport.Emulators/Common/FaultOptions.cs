namespace SegmentExport.Emulators.Common;

/// <summary>
/// Per-platform fault injection (configuration <c>Sandbox:{Platform}:Faults</c>, or
/// <c>PUT /_emulator/{platform}/faults</c>). Shares are probabilities from 0 to 1, drawn once per request in order
/// 429, 500, 503, timeout, dropped connection, from a <see cref="Random"/> seeded with <see cref="Seed"/>:
/// the same seed and the same request order give the same faults.
/// </summary>
public sealed class FaultOptions
{
    /// <summary>Whether the platform's documented rate and concurrency limits apply. Off for benchmarks.</summary>
    public bool RateLimitsEnabled { get; set; } = true;

    /// <summary>Fixed latency added to every response.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Extra latency per <see cref="LatencyItems"/> items in a batch request (e.g. 1 s per 100 contacts).</summary>
    public TimeSpan LatencyPerItems { get; set; }

    public int LatencyItems { get; set; } = 100;

    public double TooManyRequestsShare { get; set; }

    /// <summary>The Retry-After sent with an injected 429.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    public double InternalServerErrorShare { get; set; }

    public double ServiceUnavailableShare { get; set; }

    /// <summary>Share of requests that hang for <see cref="TimeoutAfter"/> and then lose their connection.</summary>
    public double TimeoutShare { get; set; }

    /// <summary>How long a "timed out" request hangs; Mailchimp's own cap is 120 s (provider-apis 1.7).</summary>
    public TimeSpan TimeoutAfter { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>Share of requests whose connection is dropped without a response.</summary>
    public double DropConnectionShare { get; set; }

    public int Seed { get; set; } = 1;

    public FaultOptions Clone() => (FaultOptions)MemberwiseClone();

    public IEnumerable<string> Validate()
    {
        var shares = new (string Name, double Value)[]
        {
            (nameof(TooManyRequestsShare), TooManyRequestsShare),
            (nameof(InternalServerErrorShare), InternalServerErrorShare),
            (nameof(ServiceUnavailableShare), ServiceUnavailableShare),
            (nameof(TimeoutShare), TimeoutShare),
            (nameof(DropConnectionShare), DropConnectionShare),
        };
        foreach (var (name, value) in shares)
        {
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                yield return $"Faults.{name} must be between 0 and 1, not {value}.";
            }
        }

        if (shares.Sum(s => s.Value) > 1.0000001)
        {
            yield return $"Faults: the shares add up to {shares.Sum(s => s.Value)}, more than 1.";
        }

        if (LatencyItems < 1)
        {
            yield return $"Faults.LatencyItems must be at least 1, not {LatencyItems}.";
        }

        foreach (var (name, value) in new[] { (nameof(Latency), Latency), (nameof(LatencyPerItems), LatencyPerItems), (nameof(RetryAfter), RetryAfter), (nameof(TimeoutAfter), TimeoutAfter) })
        {
            if (value < TimeSpan.Zero)
            {
                yield return $"Faults.{name} must not be negative, not {value}.";
            }
        }
    }
}

public enum FaultKind
{
    None,
    TooManyRequests,
    InternalServerError,
    ServiceUnavailable,
    Timeout,
    DropConnection,
}
