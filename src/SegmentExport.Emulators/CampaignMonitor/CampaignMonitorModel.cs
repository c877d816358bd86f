using System.Runtime.CompilerServices;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.CampaignMonitor;

internal sealed class CmSubscriber(string email, DateTimeOffset created)
{
    private Dictionary<string, List<string>>? _customFields;

    /// <summary>The subscriber's lock (the subscriber itself: no extra object per subscriber among a million).</summary>
    public object Sync => this;

    public string Email { get; } = email;

    public DateTimeOffset Date { get; set; } = created;

    public string Name { get; set; } = "";

    /// <summary>Active, Unsubscribed, Bounced, Deleted or Unconfirmed.</summary>
    public string State { get; set; } = "Active";

    public string ConsentToTrack { get; set; } = "Yes";

    /// <summary>Values by key without brackets; MultiSelectMany keeps several. Created on first use.</summary>
    public Dictionary<string, List<string>> CustomFields => _customFields ??= new(StringComparer.OrdinalIgnoreCase);
}

internal sealed record CmField(string FieldName, string Key, string DataType, IReadOnlyList<string> Options);

internal sealed class CmList(string id, string title, string clientId, string unsubscribeSetting)
{
    private readonly Lock _orderLock = new();
    private readonly List<CmSubscriber> _order = [];
    private readonly ConcurrentDictionary<string, StrongBox<int>> _counts = new(StringComparer.Ordinal);
    private (string State, int Matched, int Index)? _cursor;

    public string Id { get; } = id;

    public string Title { get; } = title;

    public string ClientId { get; } = clientId;

    public string UnsubscribeSetting { get; } = unsubscribeSetting;

    public ShardedMap<string, CmSubscriber> Subscribers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Custom fields by key without brackets (<c>website</c> for <c>[website]</c>).</summary>
    public ConcurrentDictionary<string, CmField> Fields { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The subscriber for the email, created (Active, dated now) and counted when new, in one lookup.</summary>
    public CmSubscriber GetOrAdd(string email, TimeProvider time, out bool created)
    {
        var subscriber = Subscribers.GetOrAdd(email, time, static (e, t) => new CmSubscriber(e, t.GetUtcNow()), out created);
        if (created)
        {
            Interlocked.Increment(ref Counter(subscriber.State).Value);
            lock (_orderLock)
            {
                _order.Add(subscriber);
            }
        }

        return subscriber;
    }

    public bool TryAdd(CmSubscriber subscriber)
    {
        if (!Subscribers.TryAdd(subscriber.Email, subscriber))
        {
            return false;
        }

        Interlocked.Increment(ref Counter(subscriber.State).Value);
        lock (_orderLock)
        {
            _order.Add(subscriber);
        }

        return true;
    }

    /// <summary>How many subscribers are in a state; kept on every change so paging never counts.</summary>
    public int Count(string state) => _counts.TryGetValue(state, out var box) ? Volatile.Read(ref box.Value) : 0;

    /// <summary>Changes a subscriber's state; call with the subscriber's lock held.</summary>
    public void SetState(CmSubscriber subscriber, string state)
    {
        if (string.Equals(subscriber.State, state, StringComparison.Ordinal))
        {
            return;
        }

        Interlocked.Decrement(ref Counter(subscriber.State).Value);
        Interlocked.Increment(ref Counter(state).Value);
        subscriber.State = state;
    }

    /// <summary>
    /// Subscribers in a state, in insertion order. The position where the last page ended is remembered, so walking
    /// all pages in order is linear overall rather than quadratic.
    /// </summary>
    public List<CmSubscriber> Page(string state, int skip, int take)
    {
        var page = new List<CmSubscriber>(Math.Min(take, 1000));
        lock (_orderLock)
        {
            var (index, matched) = _cursor is { } c && c.State == state && c.Matched <= skip ? (c.Index, c.Matched) : (0, 0);
            for (; index < _order.Count && page.Count < take; index++)
            {
                if (string.Equals(_order[index].State, state, StringComparison.Ordinal))
                {
                    if (matched >= skip)
                    {
                        page.Add(_order[index]);
                    }

                    matched++;
                }
            }

            _cursor = (state, matched, index);
        }

        return page;
    }

    public List<CmSubscriber> All()
    {
        lock (_orderLock)
        {
            return [.. _order];
        }
    }

    private StrongBox<int> Counter(string state) => _counts.GetOrAdd(state, static _ => new StrongBox<int>());

    /// <summary>Strips the brackets Campaign Monitor puts around keys when it reports them (provider-apis 4.4).</summary>
    public static string BareKey(string key) => key.Trim().TrimStart('[').TrimEnd(']');
}
