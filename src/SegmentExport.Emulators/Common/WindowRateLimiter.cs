using System.Runtime.CompilerServices;

namespace SegmentExport.Emulators.Common;

/// <summary>
/// A fixed-window request counter per key (API key, account, client id) on the injected <see cref="TimeProvider"/>,
/// so tests can move time. The window starts at a key's first request; <paramref name="nextReset"/> overrides that
/// for calendar windows such as a daily quota reset at 00:00 UTC.
/// </summary>
public sealed class WindowRateLimiter(int permits, TimeSpan window, TimeProvider time, Func<DateTimeOffset, DateTimeOffset>? nextReset = null)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public int Permits => permits;

    /// <summary>Takes one permit; when none is left, says how long until the window resets.</summary>
    public bool TryAcquire(string key, out TimeSpan retryAfter)
    {
        var state = _windows.GetOrAdd(key, static _ => new Window());
        var now = time.GetUtcNow();
        lock (state)
        {
            // Per-key lock held for a few instructions: different keys never contend.
            if (now >= state.ResetAt)
            {
                state.ResetAt = nextReset?.Invoke(now) ?? now + window;
                state.Used = 0;
            }

            if (state.Used < permits)
            {
                state.Used++;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = state.ResetAt - now;
            return false;
        }
    }

    /// <summary>Permits left in the key's current window (for RateLimit-Remaining style headers).</summary>
    public int Remaining(string key)
    {
        if (!_windows.TryGetValue(key, out var state))
        {
            return permits;
        }

        lock (state)
        {
            return time.GetUtcNow() >= state.ResetAt ? permits : Math.Max(0, permits - state.Used);
        }
    }

    public static DateTimeOffset NextUtcMidnight(DateTimeOffset now) => new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1);

    private sealed class Window
    {
        public DateTimeOffset ResetAt = DateTimeOffset.MinValue;
        public int Used;
    }
}

/// <summary>Counts requests in flight per key (Mailchimp's "10 simultaneous connections", provider-apis 1.7).</summary>
public sealed class ConcurrencyGate(int limit)
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _inFlight = new(StringComparer.Ordinal);

    public int InFlight(string key) => _inFlight.TryGetValue(key, out var box) ? Volatile.Read(ref box.Value) : 0;

    /// <summary>Enters when fewer than the limit are in flight; the returned lease leaves on dispose.</summary>
    public IDisposable? TryEnter(string key)
    {
        var box = _inFlight.GetOrAdd(key, static _ => new StrongBox<int>());
        if (Interlocked.Increment(ref box.Value) > limit)
        {
            Interlocked.Decrement(ref box.Value);
            return null;
        }

        return new Lease(box);
    }

    private sealed class Lease(StrongBox<int> box) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref box.Value);
            }
        }
    }
}
