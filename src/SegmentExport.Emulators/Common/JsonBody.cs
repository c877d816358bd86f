namespace SegmentExport.Emulators.Common;

public enum BodyProblem
{
    None,
    Missing,
    Malformed,
    TooLarge,
}

/// <summary>A parsed request body, or why there is none.</summary>
public readonly record struct Body<T>(T? Value, BodyProblem Problem, long Bytes, string? Error)
    where T : class
{
    public bool Ok => Problem == BodyProblem.None && Value is not null;
}

/// <summary>
/// Reads JSON request bodies: the body is read into a pooled buffer, counting bytes so payload caps (ActiveCampaign
/// 400,000 B) are enforced even when the client sends no Content-Length, and then deserialized in one synchronous pass
/// (much cheaper than the serializer's resumable streaming mode for the batch bodies the emulators mostly receive).
/// </summary>
public static class JsonBody
{
    public static async Task<Body<T>> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, long? maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (maxBytes is { } cap && request.ContentLength > cap)
        {
            return new Body<T>(null, BodyProblem.TooLarge, request.ContentLength.Value, null);
        }

        var buffer = new PooledBuffer(request.ContentLength is { } length and > 0 and < 64 * 1024 * 1024 ? (int)length + 1 : 16 * 1024);
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                buffer.Advance(read);
                if (maxBytes is { } max && buffer.Length > max)
                {
                    return new Body<T>(null, BodyProblem.TooLarge, buffer.Length, null);
                }
            }

            return Parse<T>(buffer.Written.Span, options);
        }
        finally
        {
            buffer.Return();
        }
    }

    private static Body<T> Parse<T>(ReadOnlySpan<byte> json, JsonSerializerOptions options)
        where T : class
    {
        var bytes = json.Length;

        // A leading UTF-8 byte order mark is skipped, as the streaming deserializer did.
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..];
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(json, options);
            return value is null
                ? new Body<T>(null, BodyProblem.Missing, bytes, "The request body was empty or null.")
                : new Body<T>(value, BodyProblem.None, bytes, null);
        }
        catch (JsonException ex)
        {
            return bytes == 0
                ? new Body<T>(null, BodyProblem.Missing, 0, "The request body was empty.")
                : new Body<T>(null, BodyProblem.Malformed, bytes, ex.Message);
        }
    }
}
