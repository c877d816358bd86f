namespace SegmentExport.Emulators.Common;

/// <summary>
/// A set of a few strings (ordinal) in one small array, for per-contact sets such as list memberships: a contact is in
/// one list or two, and a million contacts with a <see cref="HashSet{T}"/> each kept three objects apiece for the GC
/// to trace (the set, its buckets, its entries) where this keeps one, or none while empty.
/// </summary>
internal sealed class SmallSet : IEnumerable<string>
{
    private string[] _items = [];
    private int _count;

    public int Count => _count;

    public bool Contains(string item) => IndexOf(item) >= 0;

    /// <summary>Adds the item; false when it was there already.</summary>
    public bool Add(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (IndexOf(item) >= 0)
        {
            return false;
        }

        if (_count == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(1, _count * 2));
        }

        _items[_count++] = item;
        return true;
    }

    public void UnionWith(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items)
        {
            Add(item);
        }
    }

    public void ExceptWith(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items)
        {
            var at = IndexOf(item);
            if (at >= 0)
            {
                // Order is not kept (a set has none): the last item takes the removed one's place.
                _items[at] = _items[--_count];
                _items[_count] = null!;
            }
        }
    }

    public void Clear()
    {
        _items = [];
        _count = 0;
    }

    public ReadOnlySpan<string>.Enumerator GetEnumerator() => new ReadOnlySpan<string>(_items, 0, _count).GetEnumerator();

    IEnumerator<string> IEnumerable<string>.GetEnumerator() => _items.Take(_count).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.Take(_count).GetEnumerator();

    private int IndexOf(string item)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_items[i], item, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
