using System.Threading.RateLimiting;

namespace SegmentExport.Destinations;

/// <summary>
/// At most N requests in any span of one window as the platform counts them: at arrival, in windows that start at its
/// own first request. A request reaches the platform within <c>arrival</c> of being sent (its headers travel one way;
/// the rest of a slow answer is the platform working), or by its answer if that comes sooner; so a permit is reused a
/// full window after that. Counting from the answer instead (as this did) held each of Constant Contact's four permits
/// for the 0.2 s answer on top of the second, 3.1 requests a second where 4 are allowed. The framework's
/// sliding-window limiter counts in segments and frees permits early, which was enough to trip the platforms.
/// </summary>
internal sealed class SlidingLogRateLimiter(int permits, TimeSpan window, TimeSpan arrival, TimeProvider time) : RateLimiter
{
    private readonly List<Slot> _slots = [];
    private readonly SemaphoreSlim _waiters = new(1, 1);

    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        TryGrant(out _) is { } slot ? new Lease(this, slot) : Lease.Refused;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        // One waiter at a time keeps the order roughly first come, first served.
        await _waiters.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                if (TryGrant(out var wait) is { } slot)
                {
                    return new Lease(this, slot);
                }

                await Task.Delay(wait, time, cancellationToken);
            }
        }
        finally
        {
            _waiters.Release();
        }
    }

    private Slot? TryGrant(out TimeSpan wait)
    {
        lock (_slots)
        {
            var now = time.GetTimestamp();
            _slots.RemoveAll(s => Free(s, now) <= TimeSpan.Zero);
            if (_slots.Count < permits)
            {
                var slot = new Slot(now);
                _slots.Add(slot);
                wait = TimeSpan.Zero;
                return slot;
            }

            wait = _slots.Min(s => Free(s, now));
            return null;
        }
    }

    /// <summary>How long until the slot's request is a full window behind its arrival at the latest.</summary>
    private TimeSpan Free(Slot slot, long now)
    {
        var arrived = time.GetElapsedTime(slot.Sent, now) - arrival;
        if (slot.Done is { } done && time.GetElapsedTime(done, now) > arrived)
        {
            arrived = time.GetElapsedTime(done, now);
        }

        return window - arrived;
    }

    private void Complete(Slot slot)
    {
        lock (_slots)
        {
            slot.Done = time.GetTimestamp();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _waiters.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class Slot(long sent)
    {
        public long Sent { get; } = sent;

        public long? Done { get; set; }
    }

    private sealed class Lease(SlidingLogRateLimiter? limiter, Slot? slot) : RateLimitLease
    {
        public static readonly Lease Refused = new(null, null);

        public override bool IsAcquired => slot is not null;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && slot is not null)
            {
                limiter!.Complete(slot);
            }

            base.Dispose(disposing);
        }
    }
}
