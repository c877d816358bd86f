namespace SegmentExport.Emulators.Common;

/// <summary>
/// Remembers which items (contacts) a list has already taken into its insertion order, so each is added once. The
/// first 64 lists of an emulator use one bit each in a mask the item carries (an interlocked OR, no lookup in a set of
/// a million entries); any further list falls back to a set of the items themselves.
/// </summary>
internal sealed class TrackOnce(int slot)
{
    private readonly HashSet<object>? _seen = slot is >= 0 and < 64 ? null : new(ReferenceEqualityComparer.Instance);
    private int _count;

    /// <summary>How many items have been marked.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Marks the item; true only the first time, whichever thread gets there first.</summary>
    public bool TryMark(ref long mask, object item)
    {
        bool first;
        if (_seen is null)
        {
            var bit = 1L << slot;
            first = (Interlocked.Or(ref mask, bit) & bit) == 0;
        }
        else
        {
            lock (_seen)
            {
                first = _seen.Add(item);
            }
        }

        if (first)
        {
            Interlocked.Increment(ref _count);
        }

        return first;
    }

    public bool IsMarked(long mask, object item)
    {
        if (_seen is null)
        {
            return (mask & (1L << slot)) != 0;
        }

        lock (_seen)
        {
            return _seen.Contains(item);
        }
    }
}

/// <summary>Identifiers in the platforms' formats.</summary>
internal static class SandboxIds
{
    /// <summary>
    /// A random (version 4) UUID like <see cref="Guid.NewGuid"/>, from <see cref="Random.Shared"/> instead of the
    /// operating system's generator: one system call per contact was a tenth of an import's cost. Unique in practice
    /// (122 random bits), not unpredictable, which sandbox ids need not be.
    /// </summary>
    public static Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
