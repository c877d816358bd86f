namespace SegmentExport.Emulators.Common;

/// <summary>
/// A thread-safe map for the large per-list indexes (a million contacts by email): plain dictionaries behind one lock
/// per shard. Unlike <see cref="ConcurrentDictionary{TKey,TValue}"/> it keeps entries inline in arrays, with no node
/// object per entry and none re-created on every resize, which is most of what the garbage collector had to walk.
/// Every operation is atomic; <see cref="Values"/> is a snapshot.
/// </summary>
internal sealed class ShardedMap<TKey, TValue>
    where TKey : notnull
{
    private const int ShardBits = 5;
    private readonly Shard[] _shards = new Shard[1 << ShardBits];
    private readonly IEqualityComparer<TKey> _comparer;
    private int _count;

    public ShardedMap(IEqualityComparer<TKey>? comparer = null)
    {
        _comparer = comparer ?? EqualityComparer<TKey>.Default;
        for (var i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard(_comparer);
        }
    }

    public int Count => Volatile.Read(ref _count);

    public bool TryGetValue(TKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value)
    {
        var shard = For(key);
        lock (shard.Sync)
        {
            return shard.Map.TryGetValue(key, out value);
        }
    }

    public TValue? GetValueOrDefault(TKey key) => TryGetValue(key, out var value) ? value : default;

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    /// <summary>Adds the entry unless the key is present; false when it was.</summary>
    public bool TryAdd(TKey key, TValue value)
    {
        var shard = For(key);
        lock (shard.Sync)
        {
            if (!shard.Map.TryAdd(key, value))
            {
                return false;
            }
        }

        Interlocked.Increment(ref _count);
        return true;
    }

    /// <summary>The value for the key, created with <paramref name="create"/> (called at most once, under the shard's lock) when absent.</summary>
    public TValue GetOrAdd<TState>(TKey key, TState state, Func<TKey, TState, TValue> create, out bool created)
    {
        ArgumentNullException.ThrowIfNull(create);
        var shard = For(key);
        TValue value;
        lock (shard.Sync)
        {
            if (shard.Map.TryGetValue(key, out var existing))
            {
                created = false;
                return existing;
            }

            value = create(key, state);
            shard.Map.Add(key, value);
            created = true;
        }

        Interlocked.Increment(ref _count);
        return value;
    }

    /// <summary>Sets the value for the key, adding or replacing.</summary>
    public void Set(TKey key, TValue value)
    {
        var shard = For(key);
        bool added;
        lock (shard.Sync)
        {
            added = !shard.Map.ContainsKey(key);
            shard.Map[key] = value;
        }

        if (added)
        {
            Interlocked.Increment(ref _count);
        }
    }

    /// <summary>Removes the key only while it still maps to <paramref name="expected"/> (reference or value equality).</summary>
    public bool TryRemove(TKey key, TValue expected)
    {
        var shard = For(key);
        lock (shard.Sync)
        {
            if (!shard.Map.TryGetValue(key, out var current) || !EqualityComparer<TValue>.Default.Equals(current, expected))
            {
                return false;
            }

            shard.Map.Remove(key);
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    public bool TryRemove(TKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value)
    {
        var shard = For(key);
        lock (shard.Sync)
        {
            if (!shard.Map.Remove(key, out value))
            {
                return false;
            }
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>A snapshot of the values, shard by shard (for rare whole-map walks).</summary>
    public List<TValue> Values
    {
        get
        {
            var values = new List<TValue>(Count);
            foreach (var shard in _shards)
            {
                lock (shard.Sync)
                {
                    values.AddRange(shard.Map.Values);
                }
            }

            return values;
        }
    }

    private Shard For(TKey key)
    {
        // Fibonacci hashing of the comparer's hash: the top bits pick the shard, so they do not correlate with the
        // dictionary's own bucket choice (the hash modulo a prime).
        var hash = (uint)_comparer.GetHashCode(key) * 0x9E3779B9u;
        return _shards[hash >> (32 - ShardBits)];
    }

    private sealed class Shard(IEqualityComparer<TKey> comparer)
    {
        public Lock Sync { get; } = new();

        public Dictionary<TKey, TValue> Map { get; } = new(comparer);
    }
}
