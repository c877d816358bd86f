using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>List membership statuses as ActiveCampaign numbers them.</summary>
internal static class AcStatus
{
    public const int Unconfirmed = 0;
    public const int Active = 1;
    public const int Unsubscribed = 2;
    public const int Bounced = 3;

    public static string Name(int status) => status switch
    {
        Active => "active",
        Unsubscribed => "unsubscribed",
        Bounced => "bounced",
        _ => "unconfirmed",
    };

    public static int Parse(string seed) => seed.ToLowerInvariant() switch
    {
        "" or "active" or "1" => Active,
        "unsubscribed" or "2" => Unsubscribed,
        "bounced" or "3" => Bounced,
        _ => Unconfirmed,
    };
}

internal sealed class AcContact(int id, string email, DateTimeOffset created)
{
    private Dictionary<int, string>? _fieldValues;
    private HashSet<int>? _tagIds;

    /// <summary>The contact's lock (the contact itself: no extra object per contact among a million).</summary>
    public object Sync => this;

    public int Id { get; } = id;

    public string Email { get; } = email;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset Updated { get; set; } = created;

    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Phone { get; set; }

    public string? CustomerAccount { get; set; }

    /// <summary>Custom field values by field id, created on first use (imports rarely carry any).</summary>
    public Dictionary<int, string> FieldValues => _fieldValues ??= [];

    /// <summary>Tag ids, created on first use.</summary>
    public HashSet<int> TagIds => _tagIds ??= [];

    private ListStatuses _lists;

    /// <summary>List id to membership status (inline in the contact; use under the contact's lock).</summary>
    public ref ListStatuses Lists => ref _lists;

    public bool Deleted { get; set; }

    /// <summary>Which lists have this contact in their insertion order (see <see cref="TrackOnce"/>).</summary>
    internal long TrackedBy;
}

/// <summary>
/// A contact's list memberships (list id → status), kept inside the contact: the first membership in fields, any
/// further ones in a small array. A contact is in one or two lists, and a dictionary per contact among a million cost
/// the garbage collector three objects each.
/// </summary>
internal struct ListStatuses
{
    private int _firstList;
    private int _firstStatus;
    private bool _hasFirst;
    private (int List, int Status)[]? _more;
    private int _moreCount;

    public int this[int list]
    {
        set
        {
            if (!_hasFirst || _firstList == list)
            {
                _hasFirst = true;
                _firstList = list;
                _firstStatus = value;
                return;
            }

            for (var i = 0; i < _moreCount; i++)
            {
                if (_more![i].List == list)
                {
                    _more[i].Status = value;
                    return;
                }
            }

            if (_more is null || _moreCount == _more.Length)
            {
                Array.Resize(ref _more, Math.Max(2, _moreCount * 2));
            }

            _more[_moreCount++] = (list, value);
        }
    }

    public readonly int GetValueOrDefault(int list, int fallback = default)
    {
        if (_hasFirst && _firstList == list)
        {
            return _firstStatus;
        }

        for (var i = 0; i < _moreCount; i++)
        {
            if (_more![i].List == list)
            {
                return _more[i].Status;
            }
        }

        return fallback;
    }
}

internal sealed class AcList(int id, string name, DateTimeOffset created, int slot)
{
    private readonly Lock _orderLock = new();
    private readonly List<AcContact> _order = [];
    private readonly TrackOnce _members = new(slot);

    public int Id { get; } = id;

    public string Name { get; } = name;

    public DateTimeOffset Created { get; } = created;

    public int Count => _members.Count;

    /// <summary>Records that a contact has a membership (any status) in this list, once, in insertion order.</summary>
    public void Track(AcContact contact)
    {
        if (_members.TryMark(ref contact.TrackedBy, contact))
        {
            lock (_orderLock)
            {
                _order.Add(contact);
            }
        }
    }

    public bool Has(AcContact contact) => _members.IsMarked(Volatile.Read(ref contact.TrackedBy), contact);

    public List<AcContact> Page(int offset, int limit)
    {
        lock (_orderLock)
        {
            return _order.Where(c => !c.Deleted).Skip(offset).Take(limit).ToList();
        }
    }
}

internal sealed record AcField(int Id, string Title, string Type, string PersTag);

internal sealed record AcTag(int Id, string Name);

internal sealed class AcImportJob(string batchId, DateTimeOffset created, IReadOnlyList<BulkContact> contacts)
{
    public string BatchId { get; } = batchId;

    public DateTimeOffset Created { get; } = created;

    /// <summary>The rows to import; released once they are applied (the job is kept for polling, its rows are not needed).</summary>
    public IReadOnlyList<BulkContact> Contacts { get; private set; } = contacts;

    /// <summary>How many rows the import carried.</summary>
    public int ContactCount { get; } = contacts.Count;

    /// <summary>waiting, claimed, active, completed (provider-apis 2.3).</summary>
    public string State { get; set; } = "waiting";

    /// <summary>Ids of the imported contacts (written as strings).</summary>
    public List<int> Success { get; } = [];

    public List<string> Failure { get; } = [];

    public void ReleaseContacts() => Contacts = [];
}
