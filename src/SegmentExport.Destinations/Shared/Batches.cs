using System.Text.Json;

namespace SegmentExport.Destinations;

/// <summary>One platform request's worth of contacts, with the indexes of the contacts it came from.</summary>
internal sealed record WireBatch<TItem>(int Number, IReadOnlyList<int> Indexes, IReadOnlyList<TItem> Items);

/// <summary>
/// Cuts wire items into batches that respect both a count and a byte limit. Sizes are exact: each item is measured
/// as the serializer writes it inside the array, plus the envelope (the body with an empty array) and the commas.
/// An item that alone exceeds the limit is returned in <c>TooLarge</c>, never sent.
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
        var batches = new List<WireBatch<TItem>>();
        var tooLarge = new List<int>();
        var indexes = new List<int>();
        var current = new List<TItem>();
        var bytes = envelopeBytes;
        for (var i = 0; i < items.Count; i++)
        {
            var size = JsonSerializer.SerializeToUtf8Bytes(items[i], options).LongLength;
            if (envelopeBytes + size > maxBytes)
            {
                tooLarge.Add(i);
                continue;
            }

            var added = size + (current.Count > 0 ? 1 : 0);
            if (current.Count == maxCount || bytes + added > maxBytes)
            {
                batches.Add(new WireBatch<TItem>(batches.Count + 1, indexes, current));
                indexes = [];
                current = [];
                bytes = envelopeBytes;
                added = size;
            }

            indexes.Add(i);
            current.Add(items[i]);
            bytes += added;
        }

        if (current.Count > 0)
        {
            batches.Add(new WireBatch<TItem>(batches.Count + 1, indexes, current));
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

    public static long Size<TBody>(TBody body, JsonSerializerOptions options) => JsonSerializer.SerializeToUtf8Bytes(body, options).LongLength;

    /// <summary>Outcome for a contact the platform was never asked about because it alone is over the byte limit.</summary>
    public static ContactOutcome TooLargeOutcome(string email, long maxBytes) =>
        new(email, ContactOutcomeKind.Rejected, "too_large", $"The contact alone is larger than the {maxBytes}-byte request limit.");
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
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var delay = settings.InitialDelay;
        while (true)
        {
            await Task.Delay(delay, time, cancellationToken);
            var value = await probe(cancellationToken);
            if (done(value))
            {
                return value;
            }

            if (time.GetElapsedTime(started) > settings.Timeout)
            {
                throw new DestinationException($"The {what} did not finish within {settings.Timeout}.");
            }

            delay = TimeSpan.FromTicks(Math.Min(settings.MaxDelay.Ticks, (long)(delay.Ticks * settings.Factor)));
        }
    }
}
