using System.Text.Json;

namespace SegmentExport.Destinations;

/// <summary>
/// One platform request's worth of contacts, with the indexes of the contacts it came from and each item as the
/// serializer wrote it (so the body is assembled from those bytes, never serialized a second time).
/// </summary>
internal sealed record WireBatch<TItem>(int Number, IReadOnlyList<int> Indexes, IReadOnlyList<TItem> Items, IReadOnlyList<byte[]> Json)
{
    /// <summary>
    /// The body, letting go of the items and their bytes: for a request built once and then waited on (an import), so
    /// neither the contacts nor their bytes are held while it runs. <see cref="Items"/> and <see cref="Json"/> are empty
    /// afterwards; <see cref="Indexes"/> still says which contacts the batch carried.
    /// </summary>
    public byte[] TakeBody(WireEnvelope envelope, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var body = envelope.Body(Json, maxBytes);
        Release(Json);
        Release(Items);
        return body;
    }

    private static void Release<T>(IReadOnlyList<T> list)
    {
        if (list is List<T> held)
        {
            held.Clear();
            held.TrimExcess();
        }
    }
}

/// <summary>
/// A request body with its array of contacts left empty, and where the contacts go: a body is the envelope with the
/// items' serialized bytes spliced into that array, byte for byte what serializing the whole body would write.
/// </summary>
internal sealed class WireEnvelope
{
    private readonly byte[] _bytes;
    private readonly int _insertAt;

    private WireEnvelope(byte[] bytes, int insertAt)
    {
        _bytes = bytes;
        _insertAt = insertAt;
    }

    /// <summary>The body's size with no items.</summary>
    public long Size => _bytes.Length;

    /// <summary>The body up to where the items go.</summary>
    public ReadOnlySpan<byte> Head => _bytes.AsSpan(0, _insertAt);

    /// <summary>The body after the items.</summary>
    public ReadOnlySpan<byte> Tail => _bytes.AsSpan(_insertAt);

    /// <param name="empty">The body with an empty contacts array.</param>
    /// <param name="arrayProperty">That array's property name as it appears on the wire.</param>
    public static WireEnvelope Of<TBody>(TBody empty, string arrayProperty, JsonSerializerOptions options)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(empty, options);
        var marker = System.Text.Encoding.UTF8.GetBytes($"\"{arrayProperty}\":[]");
        var at = bytes.AsSpan().IndexOf(marker);
        if (at < 0 || bytes.AsSpan(at + 1).IndexOf(marker) >= 0)
        {
            throw new InvalidOperationException($"The request body has no single empty '{arrayProperty}' array to put the contacts in.");
        }

        return new WireEnvelope(bytes, at + marker.Length - 1);
    }

    /// <summary>The body with <paramref name="items"/> in the array; proves it is within the limit (Constant Contact truncates silently).</summary>
    public byte[] Body(IReadOnlyList<byte[]> items, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(items);
        var length = _bytes.Length + Math.Max(0, items.Count - 1);
        foreach (var item in items)
        {
            length += item.Length;
        }

        if (length > maxBytes)
        {
            throw new InvalidOperationException($"A batch body of {length} bytes exceeds the {maxBytes}-byte limit; the batch cutter and the body disagree.");
        }

        var body = new byte[length];
        _bytes.AsSpan(0, _insertAt).CopyTo(body);
        var at = _insertAt;
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                body[at++] = (byte)',';
            }

            items[i].CopyTo(body, at);
            at += items[i].Length;
        }

        _bytes.AsSpan(_insertAt).CopyTo(body.AsSpan(at));
        return body;
    }
}

/// <summary>
/// Cuts wire items into batches that respect both a count and a byte limit. Sizes are exact: each item is serialized
/// once, as the serializer writes it inside the array, and measured with the envelope (the body with an empty array)
/// and the commas. An item that alone exceeds the limit is returned in <c>TooLarge</c>, never sent.
/// </summary>
internal static class Batches
{
    public static (List<WireBatch<TItem>> Batches, List<int> TooLarge) Cut<TItem>(
        IReadOnlyList<TItem> items,
        int maxCount,
        long maxBytes,
        long envelopeBytes,
        JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(items);
        var batches = new List<WireBatch<TItem>>();
        var tooLarge = new List<int>();
        // A batch's lists are sized for a full batch of what is left: Constant Contact's 40,000 contacts would otherwise
        // leave a trail of outgrown arrays on the large-object heap for every import.
        var indexes = new List<int>(Math.Min(maxCount, items.Count));
        var current = new List<TItem>(indexes.Capacity);
        var json = new List<byte[]>(indexes.Capacity);
        var bytes = envelopeBytes;
        for (var i = 0; i < items.Count; i++)
        {
            var item = JsonSerializer.SerializeToUtf8Bytes(items[i], options);
            long size = item.Length;
            if (envelopeBytes + size > maxBytes)
            {
                tooLarge.Add(i);
                continue;
            }

            var added = size + (current.Count > 0 ? 1 : 0);
            if (current.Count == maxCount || bytes + added > maxBytes)
            {
                batches.Add(new WireBatch<TItem>(batches.Count + 1, indexes, current, json));
                var left = Math.Min(maxCount, items.Count - i);
                indexes = new List<int>(left);
                current = new List<TItem>(left);
                json = new List<byte[]>(left);
                bytes = envelopeBytes;
                added = size;
            }

            indexes.Add(i);
            current.Add(items[i]);
            json.Add(item);
            bytes += added;
        }

        if (current.Count > 0)
        {
            batches.Add(new WireBatch<TItem>(batches.Count + 1, indexes, current, json));
        }

        return (batches, tooLarge);
    }

    /// <summary>Serializes a body and proves it is within the limit: never silently over (Constant Contact truncates).</summary>
    public static byte[] Body<TBody>(TBody body, long maxBytes, JsonSerializerOptions options)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, options);
        if (bytes.LongLength > maxBytes)
        {
            throw new InvalidOperationException($"A batch body of {bytes.LongLength} bytes exceeds the {maxBytes}-byte limit; the batch cutter and the body disagree.");
        }

        return bytes;
    }

    public static byte[] Json<TBody>(TBody body, JsonSerializerOptions options) => Body(body, long.MaxValue, options);

    /// <summary>A fresh content per request: a sent request (and its content) is disposed before any re-send after a refresh.</summary>
    public static ByteArrayContent? Content(byte[]? body)
    {
        if (body is null)
        {
            return null;
        }

        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>Outcome for a contact the platform was never asked about because it alone is over the byte limit.</summary>
    public static ContactOutcome TooLargeOutcome(string email, long maxBytes) =>
        new(email, ContactOutcomeKind.Rejected, "too_large", $"The contact alone is larger than the {maxBytes}-byte request limit.");
}

/// <summary>
/// When to read an asynchronous job's status first, learned from the jobs before it. A fixed first wait either reads
/// too early (a read that finds the job running costs a request against a limit that counts every request) or too
/// late (Constant Contact's 40,000-contact import was done 0.4 s after its POST; read at 1 s, every import in flight
/// sat done for most of a second). The pace is when jobs of this kind are done. A first read that already finds the
/// job done says only that it was done by then, so the pace moves 30% under that read (1 s to 0.45 s in three jobs),
/// but not under the latest read that found a job still running (that floor itself drops 10% a job, so a job that
/// got faster is found). A read that found the job running followed by one that found it done says it was done in
/// between: the pace moves halfway to that midpoint, so a job that got slower moves it back up at once.
/// </summary>
internal sealed class PollPace
{
    private const double UnderTheFirstRead = 0.7;
    private const double FloorErosion = 0.9;
    private const double TowardMidpoint = 0.5;
    private readonly Lock _sync = new();
    private long _paceTicks;
    private long _runningTicks;
    private long _fastestReadTicks = long.MaxValue;

    /// <summary>The first wait: the learned pace plus a tenth, within the settings' initial delay / 4 and maximum delay.</summary>
    public TimeSpan FirstWait(PollSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var pace = Interlocked.Read(ref _paceTicks);
        return pace == 0
            ? settings.InitialDelay
            : TimeSpan.FromTicks(Math.Clamp((long)(pace * 1.1), settings.InitialDelay.Ticks / 4, settings.MaxDelay.Ticks));
    }

    /// <summary>
    /// When the platform most likely looked at the job for a read asked for at <paramref name="asked"/> and answered at
    /// <paramref name="answered"/>: the answer less the fastest read seen, since the rest of a slower read was waiting
    /// for a rate permit before it left (a read held back that finds the job done says nothing about when it was asked).
    /// </summary>
    public TimeSpan LookedAt(TimeSpan asked, TimeSpan answered)
    {
        var took = Math.Max(0, (answered - asked).Ticks);
        lock (_sync)
        {
            _fastestReadTicks = Math.Min(_fastestReadTicks, took);
            return TimeSpan.FromTicks(answered.Ticks - _fastestReadTicks);
        }
    }

    /// <param name="lastRunning">When the last read that found the job running looked at it (<see cref="LookedAt"/>; null: the first read found it done).</param>
    /// <param name="done">When the read that found it done looked at it.</param>
    public void Observe(TimeSpan? lastRunning, TimeSpan done)
    {
        lock (_sync)
        {
            long next;
            if (lastRunning is { } running)
            {
                var midpoint = (running.Ticks + done.Ticks) / 2;
                next = _paceTicks == 0 ? midpoint : (long)(_paceTicks + TowardMidpoint * (midpoint - _paceTicks));
                _runningTicks = running.Ticks;
            }
            else
            {
                next = Math.Max((long)(done.Ticks * UnderTheFirstRead), _runningTicks);
                _runningTicks = (long)(_runningTicks * FloorErosion);
            }

            Interlocked.Exchange(ref _paceTicks, Math.Max(next, 1));
        }
    }

    /// <summary>
    /// The wait after a first read, made at the learned pace, that found the job running: a quarter of the first wait
    /// (the job is likely done soon after), growing by the settings' factor from there. Null before anything was
    /// learned: the settings' backoff applies.
    /// </summary>
    public TimeSpan? AfterEarlyRead(TimeSpan firstWait, PollSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Interlocked.Read(ref _paceTicks) == 0 ? null : TimeSpan.FromTicks(Math.Clamp(firstWait.Ticks / 4, 1, settings.MaxDelay.Ticks));
    }
}

/// <summary>Polls an asynchronous platform job with growing waits until it is done.</summary>
internal static class Polling
{
    public static async Task<T> UntilAsync<T>(
        Func<CancellationToken, Task<T>> probe,
        Func<T, bool> done,
        PollSettings settings,
        TimeProvider time,
        string what,
        CancellationToken cancellationToken,
        PollPace? pace = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var started = time.GetTimestamp();
        var delay = pace?.FirstWait(settings) ?? settings.InitialDelay;
        TimeSpan? lastRunning = null;
        while (true)
        {
            await Task.Delay(delay, time, cancellationToken);
            var askedAt = time.GetElapsedTime(started);
            var value = await probe(cancellationToken);
            var readAt = pace?.LookedAt(askedAt, time.GetElapsedTime(started)) ?? askedAt;
            if (done(value))
            {
                pace?.Observe(lastRunning, readAt);
                return value;
            }

            if (time.GetElapsedTime(started) > settings.Timeout)
            {
                throw new DestinationException($"The {what} did not finish within {settings.Timeout}.");
            }

            // With a learned pace the job is likely done soon after the first read: the next one comes sooner.
            delay = (lastRunning is null ? pace?.AfterEarlyRead(delay, settings) : null)
                ?? TimeSpan.FromTicks(Math.Min(settings.MaxDelay.Ticks, (long)(delay.Ticks * settings.Factor)));
            lastRunning = readAt;
        }
    }
}
