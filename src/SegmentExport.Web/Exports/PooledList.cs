using System.Buffers;

namespace SegmentExport.Web.Exports;

/// <summary>
/// A list whose array is rented from the shared pool and given back on <see cref="Dispose"/>. A page of 40,000
/// members keeps arrays of a megabyte or more (large objects); renting them instead of allocating each page's keeps
/// the large-object heap from filling with dead arrays between full collections. Not thread-safe; a list that is
/// never disposed is collected like any other.
/// </summary>
public sealed class PooledList<T> : IDisposable
{
    private T[] _items = [];

    public int Count { get; private set; }

    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _items[index];
        }
    }

    public ReadOnlySpan<T> AsSpan() => _items.AsSpan(0, Count);

    public void EnsureCapacity(int capacity)
    {
        if (capacity <= _items.Length)
        {
            return;
        }

        var larger = ArrayPool<T>.Shared.Rent(capacity);
        _items.AsSpan(0, Count).CopyTo(larger);
        GiveBack();
        _items = larger;
    }

    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            EnsureCapacity(Math.Max(16, Count * 2));
        }

        _items[Count++] = item;
    }

    public void AddRange(PooledList<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        EnsureCapacity(Count + other.Count);
        other.AsSpan().CopyTo(_items.AsSpan(Count));
        Count += other.Count;
    }

    /// <summary>Gives the array back (cleared, so it keeps nothing alive) and leaves the list empty.</summary>
    public void Dispose()
    {
        GiveBack();
        _items = [];
        Count = 0;
    }

    private void GiveBack()
    {
        if (_items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(_items, clearArray: System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }
}
