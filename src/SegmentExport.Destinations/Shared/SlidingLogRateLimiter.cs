using System.Threading.RateLimiting;

namespace SegmentExport.Destinations;

/// <summary>
/// At most N requests in any span of one window as the platform sees them. The platforms count fixed windows that
/// start at their own first request, at arrival; a request may arrive any time between sending and its answer. So a
/// permit is reused only a full window after the answer to the request that held it came back (the lease is
/// disposed then): whatever the network delay, the platform never sees N+1 in one window. The framework's
/// sliding-window limiter counts from the grant and frees permits early, which was enough to trip them.
/// </summary>
internal sealed class SlidingLogRateLimiter(int permits, TimeSpan window, TimeProvider time) : RateLimiter
{
    private static readonly TimeSpan InFlightPoll = TimeSpan.FromMilliseconds(20);
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
            _slots.RemoveAll(s => s.Done is { } done && time.GetElapsedTime(done, now) >= window);
            if (_slots.Count < permits)
            {
                var slot = new Slot();
                _slots.Add(slot);
                wait = TimeSpan.Zero;
                return slot;
            }

            // The earliest finished slot frees first; while every slot is still in flight, look again shortly.
            var finished = _slots.Where(s => s.Done is not null).Select(s => window - time.GetElapsedTime(s.Done!.Value, now)).ToList();
            wait = finished.Count > 0 ? finished.Min() : InFlightPoll;
            return null;
        }
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

    private sealed class Slot
    {
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
