namespace SegmentExport.Emulators.Common;

/// <param name="Status">The response status, or 0 when the connection was dropped before a response.</param>
/// <param name="Items">How many items (members, contacts, subscribers) the request carried, when it was a batch.</param>
public sealed record RequestLogEntry(
    long Sequence,
    DateTimeOffset At,
    string Platform,
    string Method,
    string Path,
    string? Query,
    int Status,
    double DurationMs,
    int? Items);

/// <summary>
/// The last <see cref="SandboxOptions.RequestLogCapacity"/> requests, newest last. A lock-free ring: writers claim a
/// slot with one interlocked increment, so logging never serialises request handling.
/// </summary>
public sealed class RequestLog
{
    private readonly RequestLogEntry?[] _ring;
    private long _written;
    private long _throttled;

    public RequestLog(IOptions<SandboxOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ring = new RequestLogEntry?[options.Value.RequestLogCapacity];
    }

    /// <summary>How many requests were logged since start (or the last <see cref="Clear"/>).</summary>
    public long Count => Interlocked.Read(ref _written);

    /// <summary>How many of those were answered 429 (throttled) since start (or the last <see cref="Clear"/>).</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    public void Add(RequestLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sequence = Interlocked.Increment(ref _written);
        if (entry.Status == 429)
        {
            Interlocked.Increment(ref _throttled);
        }

        Volatile.Write(ref _ring[(sequence - 1) % _ring.Length], entry with { Sequence = sequence });
    }

    /// <summary>The most recent entries (optionally of one platform), oldest first.</summary>
    public IReadOnlyList<RequestLogEntry> Recent(string? platform = null, int take = 100)
    {
        var written = Count;
        var result = new List<RequestLogEntry>();
        for (var sequence = written; sequence > 0 && sequence > written - _ring.Length && result.Count < take; sequence--)
        {
            var entry = Volatile.Read(ref _ring[(sequence - 1) % _ring.Length]);
            if (entry is not null && (platform is null || string.Equals(entry.Platform, platform, StringComparison.OrdinalIgnoreCase)))
            {
                result.Add(entry);
            }
        }

        result.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return result;
    }

    public void Clear()
    {
        Array.Clear(_ring);
        Interlocked.Exchange(ref _written, 0);
        Interlocked.Exchange(ref _throttled, 0);
    }
}
