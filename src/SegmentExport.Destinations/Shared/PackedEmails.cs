using System.Buffers;
using System.Collections;
using System.Text;

namespace SegmentExport.Destinations;

/// <summary>
/// Emails kept as UTF-8 in one buffer, in the order added, and read back as strings when asked for. An import of
/// 40,000 contacts in flight keeps its emails in about 1 MB and two arrays instead of 40,000 strings (about 3 MB, each
/// an object the collector traces and promotes while the platform works): the engine keeps three such imports in flight.
/// Written by one thread, then read (a page is handed from the reader to the sender through a channel).
/// </summary>
public sealed class PackedEmails : IReadOnlyList<string>
{
    /// <summary>Bytes reserved per email up front; a list of longer ones grows once or twice.</summary>
    private const int ExpectedBytes = 32;

    private byte[] _bytes;
    private int[] _ends;
    private int _used;

    /// <param name="capacity">How many emails are expected (a full request's count): the arrays are sized once for them.</param>
    public PackedEmails(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _bytes = new byte[Math.Max(capacity, 1) * ExpectedBytes];
        _ends = new int[Math.Max(capacity, 1)];
    }

    public int Count { get; private set; }

    /// <summary>The email at <paramref name="index"/>, as a new string.</summary>
    public string this[int index] => Encoding.UTF8.GetString(Bytes(index));

    public void Add(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var length = Encoding.UTF8.GetByteCount(email);
        if (_used + length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + length));
        }

        if (Count == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        _used += Encoding.UTF8.GetBytes(email, _bytes.AsSpan(_used));
        _ends[Count++] = _used;
    }

    /// <summary>How the email at <paramref name="index"/> compares with <paramref name="email"/>, without making a string.</summary>
    public EmailMatch Match(int index, string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        if ((uint)index >= (uint)Count)
        {
            return EmailMatch.None;
        }

        var bytes = Bytes(index);
        if (bytes.Length < email.Length || bytes.Length > email.Length * 3)
        {
            // A char takes one to three UTF-8 bytes (a surrogate pair four for two chars): these cannot be equal.
            return EmailMatch.None;
        }

        char[]? rented = null;
        Span<char> chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : (rented = ArrayPool<char>.Shared.Rent(bytes.Length));
        try
        {
            var decoded = chars[..Encoding.UTF8.GetChars(bytes, chars)];
            return decoded.SequenceEqual(email) ? EmailMatch.Exactly
                : decoded.Equals(email, StringComparison.OrdinalIgnoreCase) ? EmailMatch.IgnoringCase
                : EmailMatch.None;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private ReadOnlySpan<byte> Bytes(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        var start = index == 0 ? 0 : _ends[index - 1];
        return _bytes.AsSpan(start, _ends[index] - start);
    }
}

/// <summary>How a kept email compares with another.</summary>
public enum EmailMatch
{
    None,
    IgnoringCase,
    Exactly,
}
