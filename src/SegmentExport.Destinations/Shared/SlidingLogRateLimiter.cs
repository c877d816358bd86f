using System.Threading.RateLimiting;

namespace SegmentExport.Destinations;

/// <summary>
/// At most N requests in any span of one window as the platform counts them: at arrival, in windows that start at its
/// own first request. A request arrives somewhere between its send and its answer; the answer comes after the
/// platform's work and the way back, which take at least the fastest round trip seen less <c>arrival</c> (the most a
/// warm request spends leaving and travelling one way). So a permit is reused a full window after the answer less
/// that; before any round trip was seen, a full window after the answer. A slow first connection, an upload or a
/// slow platform only moves the answer later, never the bound before the arrival. Counting from the answer alone (as
/// this did) held each of Constant Contact's four permits for its 0.2 s answer on top of the second: 3.1 requests a
/// second where 4 are allowed. Counting from the send plus a margin was refused by the platform when a new
/// connection took longer than the margin. The framework's sliding-window limiter counts in segments and frees
/// permits early, which was enough to trip the platforms. Only a warm round trip (sent after an earlier request was
/// answered: a connection open, the platform's code running) teaches the pace: the first requests of a run, sent side
/// by side, may each open a connection and meet a cold platform, and counting one of those as the fastest had the
/// others' permits come back up to its excess early (four of ActiveCampaign's five first reads were followed by 429s).
/// </summary>
internal sealed class SlidingLogRateLimiter(int permits, TimeSpan window, TimeSpan arrival, TimeProvider time) : RateLimiter
{
    private static readonly TimeSpan InFlightPoll = TimeSpan.FromMilliseconds(20);
    private long _fastestTicks = long.MaxValue;
    private long? _firstAnswer;
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

            // The earliest answered slot frees first; while every slot is unanswered, look again shortly.
            wait = _slots.Any(s => s.ArrivedBy is not null) ? _slots.Where(s => s.ArrivedBy is not null).Min(s => Free(s, now)) : InFlightPoll;
            return null;
        }
    }

    /// <summary>How long until the slot's request is a full window behind its arrival at the latest; a while yet if unanswered.</summary>
    private TimeSpan Free(Slot slot, long now) =>
        slot.ArrivedBy is { } arrived ? window - time.GetElapsedTime(arrived, now) : window + InFlightPoll;

    private void Complete(Slot slot)
    {
        lock (_slots)
        {
            var done = time.GetTimestamp();
            var took = time.GetElapsedTime(slot.Sent, done).Ticks;

            // The platform's work and the way back took at least the fastest earlier round trip less the margin.
            var after = _fastestTicks == long.MaxValue ? 0 : Math.Max(0, _fastestTicks - arrival.Ticks);
            slot.ArrivedBy = done - (long)(Math.Min(after, took) * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond);
            if (_firstAnswer is { } first && slot.Sent >= first)
            {
                _fastestTicks = Math.Min(_fastestTicks, took);
            }

            _firstAnswer ??= done;
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

        /// <summary>The latest the platform can have counted the request (a timestamp), once it was answered.</summary>
        public long? ArrivedBy { get; set; }
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
