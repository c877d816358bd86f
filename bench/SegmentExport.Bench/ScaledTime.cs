using System.Diagnostics;

namespace SegmentExport.Bench;

/// <summary>
/// A clock that runs <c>factor</c> times faster than real time: every duration measured or waited on it (rate
/// windows, latency, import processing, poll and retry delays) takes 1/factor of the real time. The throttled run
/// gives the same factor to the emulators and to the engine, so the platforms' documented limits keep their shape
/// while a 40-minute floor becomes a one-minute run. A factor below 1 slows time down the same way.
/// </summary>
public sealed class ScaledTime : TimeProvider
{
    private readonly double _factor;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _startUtc = DateTimeOffset.UtcNow;

    public ScaledTime(double factor)
    {
        if (!(factor > 0) || double.IsInfinity(factor))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The time factor must be a positive number.");
        }

        _factor = factor;
    }

    public double Factor => _factor;

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override long GetTimestamp() => _startTimestamp + (long)((Stopwatch.GetTimestamp() - _startTimestamp) * _factor);

    public override DateTimeOffset GetUtcNow() => _startUtc + Stopwatch.GetElapsedTime(_startTimestamp) * _factor;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    /// <summary>A duration on this clock as real time.</summary>
    public TimeSpan Scale(TimeSpan duration) => duration == Timeout.InfiniteTimeSpan ? duration : duration / _factor;

    private sealed class ScaledTimer(ITimer inner, ScaledTime owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
