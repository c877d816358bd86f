namespace SegmentExport.Emulators.Common;

/// <summary>
/// Holds one platform's current <see cref="FaultOptions"/> and draws a fault per request. Reconfiguring reseeds
/// the generator, so a test that sets faults and then sends requests one by one sees a repeatable sequence.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private FaultOptions _options;
    private Random _random;

    public FaultInjector(FaultOptions options)
    {
        _options = options.Clone();
        _random = new Random(_options.Seed);
    }

    /// <summary>A copy of the options in force.</summary>
    public FaultOptions Current => Volatile.Read(ref _options).Clone();

    public bool RateLimitsEnabled => Volatile.Read(ref _options).RateLimitsEnabled;

    /// <summary>Replaces the options (validated) and reseeds the generator.</summary>
    public void Configure(FaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        lock (_gate)
        {
            Volatile.Write(ref _options, options.Clone());
            _random = new Random(options.Seed);
        }
    }

    /// <summary>Changes some options, keeping the rest.</summary>
    public void Configure(Action<FaultOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var next = Current;
        change(next);
        Configure(next);
    }

    /// <summary>Turns every fault off and the rate limits back on.</summary>
    public void Reset() => Configure(new FaultOptions());

    public FaultKind Draw()
    {
        var options = Volatile.Read(ref _options);
        var total = options.TooManyRequestsShare + options.InternalServerErrorShare + options.ServiceUnavailableShare
            + options.TimeoutShare + options.DropConnectionShare;
        if (total <= 0)
        {
            return FaultKind.None;
        }

        double roll;
        lock (_gate)
        {
            // Seeded Random is not thread-safe; the draw is tiny, so the lock never convoys.
            roll = _random.NextDouble();
        }

        return Pick(options, roll);
    }

    private static FaultKind Pick(FaultOptions o, double roll)
    {
        var edge = o.TooManyRequestsShare;
        if (roll < edge)
        {
            return FaultKind.TooManyRequests;
        }

        if (roll < (edge += o.InternalServerErrorShare))
        {
            return FaultKind.InternalServerError;
        }

        if (roll < (edge += o.ServiceUnavailableShare))
        {
            return FaultKind.ServiceUnavailable;
        }

        if (roll < (edge += o.TimeoutShare))
        {
            return FaultKind.Timeout;
        }

        return roll < edge + o.DropConnectionShare ? FaultKind.DropConnection : FaultKind.None;
    }

    /// <summary>Latency for a response that carried <paramref name="items"/> items.</summary>
    public TimeSpan LatencyFor(int items)
    {
        var options = Volatile.Read(ref _options);
        var latency = options.Latency;
        if (options.LatencyPerItems > TimeSpan.Zero && items > 0)
        {
            latency += options.LatencyPerItems * ((double)items / options.LatencyItems);
        }

        return latency;
    }
}
