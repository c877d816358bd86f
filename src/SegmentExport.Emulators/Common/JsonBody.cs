namespace SegmentExport.Emulators.Common;

public enum BodyProblem
{
    None,
    Missing,
    Malformed,
    TooLarge,
}

/// <summary>Reads a whole body of a known shape, or returns null to leave it to the serializer (see <see cref="JsonBody.ReadAsync{T}"/>).</summary>
public delegate T? FastReader<T>(ReadOnlySpan<byte> json)
    where T : class;

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
    /// <param name="fast">
    /// Optional hand-written reader for the common shape of a hot body. It returns null (or throws a
    /// <see cref="JsonException"/>) for anything it does not handle, and the serializer then reads the body as usual, so
    /// results, problems and messages are the serializer's; when it returns a value, that value is what the serializer
    /// would have produced.
    /// </param>
    public static async Task<Body<T>> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, long? maxBytes, CancellationToken cancellationToken, FastReader<T>? fast = null)
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

            return Parse(buffer.Written.Span, options, fast);
        }
        finally
        {
            buffer.Return();
        }
    }

    private static Body<T> Parse<T>(ReadOnlySpan<byte> json, JsonSerializerOptions options, FastReader<T>? fast)
        where T : class
    {
        var bytes = json.Length;

        // A leading UTF-8 byte order mark is skipped, as the streaming deserializer did.
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..];
        }

        if (fast is not null && bytes > 0)
        {
            try
            {
                if (fast(json) is { } quick)
                {
                    return new Body<T>(quick, BodyProblem.None, bytes, null);
                }
            }
            catch (JsonException)
            {
                // Not valid JSON, or not a shape the fast reader knows: the serializer decides below.
            }
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

/// <summary>
/// Token readers for <see cref="FastReader{T}"/> implementations: each succeeds only where the serializer (with the
/// emulators' options) would read the same value, and otherwise returns false so the reader can give up.
/// </summary>
internal static class FastJson
{
    /// <summary>A string property: a string (unescaped) or null.</summary>
    public static bool TryString(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = reader.GetString();
                return true;
            case JsonTokenType.Null:
                return true;
            default:
                return false;
        }
    }

    /// <summary>A bool property (not nullable): true or false.</summary>
    public static bool TryBool(ref Utf8JsonReader reader, out bool value)
    {
        value = false;
        if (!reader.Read() || reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
        {
            return false;
        }

        value = reader.TokenType == JsonTokenType.True;
        return true;
    }

    /// <summary>An int property read with AllowReadingFromString: an integer number, or a string of plain digits.</summary>
    public static bool TryInt(ref Utf8JsonReader reader, out int value)
    {
        value = 0;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt32(out value);
        }

        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return false;
        }

        var digits = reader.ValueSpan;
        if (digits.Length is 0 or > 9)
        {
            return false;
        }

        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (digit - '0');
        }

        return true;
    }

    /// <summary>Reads the next token and says which it is (<see cref="JsonTokenType.None"/> at the end of the input).</summary>
    public static JsonTokenType Next(ref Utf8JsonReader reader) => reader.Read() ? reader.TokenType : JsonTokenType.None;

    /// <summary>Skips the value of a property the target type does not have (the serializer ignores those).</summary>
    public static bool TrySkip(ref Utf8JsonReader reader) => reader.Read() && reader.TrySkip();

    /// <summary>After the root value: true when nothing but whitespace follows.</summary>
    public static bool AtEnd(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0 && !reader.Read();
}
