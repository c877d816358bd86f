using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization;

namespace SegmentExport.Emulators.Common;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}.Shared"/>: hot responses (a batch of 500 full members is ~400 KB)
/// are written here instead of into fresh arrays, which would land on the large object heap and force full GCs.
/// </summary>
internal sealed class PooledBuffer : IBufferWriter<byte>
{
    private byte[] _array;
    private int _written;

    public PooledBuffer(int capacity) => _array = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));

    public int Length => _written;

    public ReadOnlyMemory<byte> Written => _array.AsMemory(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    public void Write(byte value)
    {
        GetSpan(1)[0] = value;
        _written++;
    }

    /// <summary>Gives the array back to the pool; the buffer must not be used afterwards.</summary>
    public void Return()
    {
        var array = Interlocked.Exchange(ref _array, []);
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void Ensure(int sizeHint)
    {
        var need = Math.Max(sizeHint, 1);
        if (_array.Length - _written >= need)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _written + need));
        _array.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }
}

/// <summary>
/// A JSON response written ahead as UTF-8 chunks (pooled buffers and constant bytes), sent in order and then returned
/// to the pool. Same status and content type as <see cref="SandboxJson.Json"/>; the bytes are what the serializer with
/// <see cref="SandboxJson.Verbatim"/> would write for the same values.
/// </summary>
internal sealed class JsonChunksResult(int statusCode) : IResult
{
    private readonly List<ReadOnlyMemory<byte>> _chunks = [];
    private readonly List<PooledBuffer> _owned = [];

    public JsonChunksResult Add(ReadOnlyMemory<byte> chunk)
    {
        _chunks.Add(chunk);
        return this;
    }

    /// <summary>Adds what the buffer holds, and returns the buffer to the pool once the response is written.</summary>
    public JsonChunksResult Add(PooledBuffer buffer)
    {
        _owned.Add(buffer);
        _chunks.Add(buffer.Written);
        return this;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        try
        {
            var response = httpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = "application/json; charset=utf-8";
            long length = 0;
            foreach (var chunk in _chunks)
            {
                length += chunk.Length;
            }

            response.ContentLength = length;
            var writer = response.BodyWriter;
            foreach (var chunk in _chunks)
            {
                writer.Write(chunk.Span);
            }

            await writer.FlushAsync(httpContext.RequestAborted);
        }
        finally
        {
            foreach (var buffer in _owned)
            {
                buffer.Return();
            }
        }
    }
}

/// <summary>
/// Pre-written JSON for one value (e.g. a member), embedded verbatim wherever the serializer meets it, so endpoints that
/// return a member among other values keep using <see cref="SandboxJson.Json"/>.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
internal sealed class RawJson(byte[] utf8)
{
    public byte[] Utf8 { get; } = utf8;

    /// <summary>Writes one value with <paramref name="write"/> into an exact-size array.</summary>
    public static RawJson Of<TState>(TState state, Action<JsonText, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new PooledBuffer(1024);
        try
        {
            using (var text = new JsonText(buffer))
            {
                write(text, state);
            }

            return new RawJson(buffer.Written.ToArray());
        }
        finally
        {
            buffer.Return();
        }
    }
}

internal sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("RawJson is written only.");

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);
    }
}

/// <summary>Writers with the same output settings as <see cref="SandboxJson.Verbatim"/>.</summary>
internal static class JsonWriting
{
    public static JsonWriterOptions Options { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    public static Utf8JsonWriter Create(IBufferWriter<byte> output) => new(output, Options);

    /// <summary>A value as the serializer writes it for <c>object</c>: strings and JSON elements directly, anything else through it.</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            default:
                JsonSerializer.Serialize(writer, value, value.GetType(), SandboxJson.Verbatim);
                break;
        }
    }
}

/// <summary>
/// Hand-written JSON for the hottest responses: constant parts are copied as bytes, and strings are escaped exactly as
/// <see cref="Utf8JsonWriter"/> with <see cref="SandboxJson.Verbatim"/>'s encoder escapes them (the common case, a
/// string the encoder leaves alone, is copied; any other goes through a writer). Callers write the structure (braces,
/// commas, names) themselves, so the output is only as valid as they make it.
/// </summary>
internal sealed class JsonText(PooledBuffer output) : IDisposable
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    private Utf8JsonWriter? _writer;

    public PooledBuffer Output => output;

    public void Raw(ReadOnlySpan<byte> utf8) => output.Write(utf8);

    public void Raw(byte utf8) => output.Write(utf8);

    /// <summary>A JSON string literal (quotes included).</summary>
    public void String(ReadOnlySpan<char> value)
    {
        var span = output.GetSpan((value.Length * 3) + 2);
        span[0] = (byte)'"';
        var status = System.Text.Unicode.Utf8.FromUtf16(value, span[1..], out _, out var written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done && Encoder.FindFirstCharacterToEncodeUtf8(span.Slice(1, written)) < 0)
        {
            span[written + 1] = (byte)'"';
            output.Advance(written + 2);
            return;
        }

        var writer = Writer();
        writer.WriteStringValue(value);
        writer.Flush();
    }

    /// <summary>A property name and its colon.</summary>
    public void Name(ReadOnlySpan<char> name)
    {
        String(name);
        output.Write((byte)':');
    }

    public void Number(long value)
    {
        var span = output.GetSpan(24);
        value.TryFormat(span, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>A value as the serializer writes an <c>object</c>: null, strings, JSON elements, anything else serialized.</summary>
    public void Value(object? value)
    {
        switch (value)
        {
            case null:
                output.Write("null"u8);
                break;
            case string s:
                String(s);
                break;
            default:
                var writer = Writer();
                JsonWriting.WriteValue(writer, value);
                writer.Flush();
                break;
        }
    }

    public void Dispose() => _writer?.Dispose();

    /// <summary>A writer positioned at the end of the output, for one top-level value.</summary>
    private Utf8JsonWriter Writer()
    {
        if (_writer is null)
        {
            _writer = JsonWriting.Create(output);
        }
        else
        {
            _writer.Reset(output);
        }

        return _writer;
    }
}
