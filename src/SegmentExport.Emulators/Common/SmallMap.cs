namespace SegmentExport.Emulators.Common;

/// <summary>
/// A few values by ordinal string key, in the order they were first set (as a dictionary without removals enumerates
/// them), a later value replacing an earlier one. One small array: contacts hold two or three values, and a dictionary
/// per contact among a million (three objects each) cost the garbage collector more than the lookups ever save. Not
/// thread-safe: use under the owner's lock.
/// </summary>
internal class SmallMap<TValue> : IEnumerable<KeyValuePair<string, TValue>>
{
    private KeyValuePair<string, TValue>[] _items = [];
    private int _count;

    public int Count => _count;

    public TValue this[string key]
    {
        set
        {
            var at = IndexOf(key);
            if (at >= 0)
            {
                _items[at] = new(key, value);
                return;
            }

            if (_count == _items.Length)
            {
                Array.Resize(ref _items, Math.Max(2, _count * 2));
            }

            _items[_count++] = new(key, value);
        }
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, out TValue value)
    {
        var at = IndexOf(key);
        value = at >= 0 ? _items[at].Value : default!;
        return at >= 0;
    }

    public TValue? GetValueOrDefault(string key) => TryGetValue(key, out var value) ? value : default;

    public ReadOnlySpan<KeyValuePair<string, TValue>>.Enumerator GetEnumerator() => new ReadOnlySpan<KeyValuePair<string, TValue>>(_items, 0, _count).GetEnumerator();

    IEnumerator<KeyValuePair<string, TValue>> IEnumerable<KeyValuePair<string, TValue>>.GetEnumerator() => _items.Take(_count).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.Take(_count).GetEnumerator();

    private int IndexOf(string key)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_items[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
