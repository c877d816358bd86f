using SegmentExport.Destinations;

namespace SegmentExport.Tests.Destinations;

/// <summary>
/// The client's per-second limiter on a clock the test moves: a permit comes back a window after the latest its request
/// can have arrived, learned from warm round trips only.
/// </summary>
public sealed class SlidingLogRateLimiterTests
{
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void Cold_first_round_trips_do_not_shorten_how_long_a_permit_is_held()
    {
        var clock = new ManualClock();
        using var limiter = new SlidingLogRateLimiter(2, TimeSpan.FromSeconds(1), Margin, clock);

        // Two requests side by side before any answer: each may open a connection, so their round trips are slow.
        var first = limiter.AttemptAcquire();
        var second = limiter.AttemptAcquire();
        Assert.True(first.IsAcquired && second.IsAcquired);
        clock.At(300);
        first.Dispose();
        clock.At(310);
        // The second may have arrived as late as 210 ms (100 ms of work and way back): its permit must be held past
        // 1,210 ms, so no round trip of the first pair may count as the platform's pace.
        second.Dispose();

        clock.At(1_250);
        Assert.False(limiter.AttemptAcquire().IsAcquired, "a permit came back before the platform's window of the second request ended");
        clock.At(1_301);
        using var third = limiter.AttemptAcquire();
        Assert.True(third.IsAcquired, "the first request's permit is back a window after its answer");
    }

    [Fact]
    public void A_warm_round_trip_lets_later_permits_come_back_before_a_window_after_their_answer()
    {
        var clock = new ManualClock();
        using var limiter = new SlidingLogRateLimiter(1, TimeSpan.FromSeconds(1), Margin, clock);

        var cold = limiter.AttemptAcquire();
        clock.At(300);
        cold.Dispose();

        // Sent after an answer: a warm round trip of 100 ms, the platform's pace from now on.
        clock.At(1_300);
        var warm = limiter.AttemptAcquire();
        Assert.True(warm.IsAcquired);
        clock.At(1_400);
        warm.Dispose();

        clock.At(2_400);
        var slow = limiter.AttemptAcquire();
        Assert.True(slow.IsAcquired);
        clock.At(2_600);
        // Answered after 200 ms: it arrived at 2,550 ms at the latest (the fastest 100 ms less the 50 ms margin after it).
        slow.Dispose();

        clock.At(3_540);
        Assert.False(limiter.AttemptAcquire().IsAcquired, "the permit came back before a window after the latest arrival");
        clock.At(3_551);
        using var next = limiter.AttemptAcquire();
        Assert.True(next.IsAcquired, "the permit is back a window after the latest arrival, not after the answer");
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _now;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now;

        public void At(int milliseconds) => _now = TimeSpan.FromMilliseconds(milliseconds).Ticks;
    }
}
