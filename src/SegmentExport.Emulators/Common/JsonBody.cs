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
/// Reads JSON request bodies straight from the request stream (no full buffering), counting bytes so payload caps
/// (ActiveCampaign 400,000 B) can be enforced even when the client sends no Content-Length.
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

        // Not disposed: the request stream belongs to ASP.NET Core and this wrapper holds nothing else.
        var counting = new CountingStream(request.Body, maxBytes);
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(counting, options, cancellationToken);
            return value is null
                ? new Body<T>(null, BodyProblem.Missing, counting.BytesRead, "The request body was empty or null.")
                : new Body<T>(value, BodyProblem.None, counting.BytesRead, null);
        }
        catch (PayloadTooLargeException)
        {
            return new Body<T>(null, BodyProblem.TooLarge, counting.BytesRead, null);
        }
        catch (JsonException ex)
        {
            return counting.BytesRead == 0
                ? new Body<T>(null, BodyProblem.Missing, 0, "The request body was empty.")
                : new Body<T>(null, BodyProblem.Malformed, counting.BytesRead, ex.Message);
        }
    }

    private sealed class PayloadTooLargeException : IOException
    {
        public PayloadTooLargeException()
            : base("The request body is over the limit.")
        {
        }
    }

    /// <summary>Counts the bytes read and fails as soon as they pass the cap.</summary>
    private sealed class CountingStream(Stream inner, long? cap) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            BytesRead += read;
            if (cap is { } max && BytesRead > max)
            {
                throw new PayloadTooLargeException();
            }

            return read;
        }
    }
}
