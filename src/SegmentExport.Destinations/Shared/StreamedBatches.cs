using System.Net;
using System.Net.Http.Headers;

namespace SegmentExport.Destinations;

/// <summary>
/// A destination whose requests are large (Constant Contact imports 40,000 contacts in one) and can be written as the
/// members stream in: the engine writes each contact into an open batch as it reads it and keeps no contact at all,
/// so a batch waiting to go holds its request body and emails, not a page of contact objects.
/// </summary>
public interface IStreamedUpsert
{
    /// <summary>An empty batch for the list; fill it with <see cref="IUpsertBatch.TryAdd"/>, then send it once.</summary>
    IUpsertBatch OpenBatch(DestinationAccount account, string listId);
}

/// <summary>One platform request being written contact by contact; the same rules as <see cref="IDestination.UpsertAsync"/>.</summary>
public interface IUpsertBatch
{
    /// <summary>Contacts added, those too large to send alone included (they are answered rejected).</summary>
    int Count { get; }

    /// <summary>
    /// The email of every contact added, in the order added (too large ones included): the outcomes' emails. The caller
    /// reads them back for the outcomes rather than keeping a string per contact of its own.
    /// </summary>
    PackedEmails Emails { get; }

    /// <summary>
    /// Writes the contact into the request. False, with nothing written, when the request is full (by count or bytes):
    /// send this batch and add the contact to a new one. A contact larger than a whole request is added and answered
    /// rejected (<c>too_large</c>), never sent.
    /// </summary>
    bool TryAdd(ContactRecord contact);

    /// <summary>
    /// Sends the request (once; the body is let go when the platform has it) and answers one outcome per contact added,
    /// in the order added: deferred with <see cref="UpsertResult.RetryAfter"/> when the platform still throttles after
    /// the client's retries.
    /// </summary>
    Task<UpsertResult> SendAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A request body kept in 64 KB chunks (under the large-object threshold) as it is written, sent without being copied
/// into one array, and readable again for a retry. Unlike one array per request, a 4 MB body leaves no large object
/// behind for the server GC to collect only in a full collection.
/// </summary>
internal sealed class ChunkedBody
{
    private const int ChunkSize = 64 * 1024;
    private readonly List<byte[]> _chunks = [];
    private int _usedInLast = ChunkSize;

    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_usedInLast == ChunkSize)
            {
                _chunks.Add(new byte[ChunkSize]);
                _usedInLast = 0;
            }

            var take = Math.Min(bytes.Length, ChunkSize - _usedInLast);
            bytes[..take].CopyTo(_chunks[^1].AsSpan(_usedInLast));
            _usedInLast += take;
            Length += take;
            bytes = bytes[take..];
        }
    }

    public void Append(byte value) => Append([value]);

    /// <summary>A fresh content over the chunks (a sent request is disposed before any re-send after a token refresh).</summary>
    public HttpContent Content() => new ChunksContent(_chunks.ToArray(), Length);

    private sealed class ChunksContent : HttpContent
    {
        private readonly byte[][] _chunks;
        private readonly long _length;

        public ChunksContent(byte[][] chunks, long length)
        {
            _chunks = chunks;
            _length = length;
            Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var left = _length;
            foreach (var chunk in _chunks)
            {
                var count = (int)Math.Min(chunk.Length, left);
                await stream.WriteAsync(chunk.AsMemory(0, count), cancellationToken);
                left -= count;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }
}

/// <summary>
/// One request's body written item by item into a <see cref="ChunkedBody"/>, under the same count and byte limits as
/// <see cref="Batches.Cut"/> (each item serialized once and measured with the envelope and the commas), remembering
/// each contact's email in the order added. An item that alone is over the limit is added but not written.
/// </summary>
internal sealed class WireBodyWriter(WireEnvelope envelope, int maxCount, long maxBytes)
{
    private readonly List<int> _tooLarge = [];
    private ChunkedBody? _body;
    private int _written;

    /// <summary>Every contact added, in order (sized for a full request at once).</summary>
    public PackedEmails Emails { get; } = new(maxCount);

    public int Count => Emails.Count;

    public long MaxBytes => maxBytes;

    public bool TryAdd<TItem>(TItem item, string email, System.Text.Json.JsonSerializerOptions options)
    {
        if (_written == maxCount)
        {
            return false;
        }

        var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(item, options);
        if (envelope.Size + bytes.Length > maxBytes)
        {
            _tooLarge.Add(Emails.Count);
            Emails.Add(email);
            return true;
        }

        var body = _body;
        if (body is null)
        {
            body = _body = new ChunkedBody();
            body.Append(envelope.Head);
        }

        var comma = _written > 0 ? 1 : 0;
        if (body.Length + comma + bytes.Length + envelope.Tail.Length > maxBytes)
        {
            return false;
        }

        if (comma > 0)
        {
            body.Append((byte)',');
        }

        body.Append(bytes);
        _written++;
        Emails.Add(email);
        return true;
    }

    /// <summary>What <see cref="BatchRunner"/> sends: the written items as one batch (none when every one was too large).</summary>
    public (List<WireBatch<string>> Batches, List<int> TooLarge) Cut()
    {
        if (_written == 0)
        {
            return ([], _tooLarge);
        }

        IReadOnlyList<int> written = _tooLarge.Count == 0
            ? new IndexRange(Emails.Count)
            : Enumerable.Range(0, Emails.Count).Except(_tooLarge).ToList();
        return ([new WireBatch<string>(1, written, [], [])], _tooLarge);
    }

    /// <summary>The emails the body carries, in order.</summary>
    public IReadOnlyList<string> WrittenEmails(IReadOnlyList<int> indexes) =>
        _tooLarge.Count == 0 ? Emails : indexes.Select(i => Emails[i]).ToList();

    /// <summary>The finished body, once: the writer no longer holds it.</summary>
    public ChunkedBody TakeBody()
    {
        var body = Interlocked.Exchange(ref _body, null) ?? throw new InvalidOperationException("The body was already taken, or nothing was written.");
        body.Append(envelope.Tail);
        if (body.Length > maxBytes)
        {
            throw new InvalidOperationException($"A batch body of {body.Length} bytes exceeds the {maxBytes}-byte limit; the writer and the body disagree.");
        }

        return body;
    }

    /// <summary>0 to count - 1 without an array.</summary>
    private sealed class IndexRange(int count) : IReadOnlyList<int>
    {
        public int Count => count;

        public int this[int index] => (uint)index < (uint)count ? index : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<int> GetEnumerator() => Enumerable.Range(0, count).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
