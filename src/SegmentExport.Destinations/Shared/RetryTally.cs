namespace SegmentExport.Destinations;

/// <summary>
/// Counts the requests the resilience pipeline sent again (after 429, 5xx, timeouts, dropped connections) within one
/// logical operation, so a caller can report them: start a tally, call the destination, read <see cref="Count"/>.
/// The tally follows the async flow (an <see cref="AsyncLocal{T}"/>), so parallel batches of one call share it and
/// unrelated calls never see it.
/// </summary>
public sealed class RetryTally
{
    private static readonly AsyncLocal<RetryTally?> Current = new();
    private int _count;

    private RetryTally()
    {
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Starts counting for the calls made from here on in the current async flow (and the flows it starts).</summary>
    public static RetryTally Start()
    {
        var tally = new RetryTally();
        Current.Value = tally;
        return tally;
    }

    internal static void Add()
    {
        if (Current.Value is { } tally)
        {
            Interlocked.Increment(ref tally._count);
        }
    }
}
