using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ConstantContact;

internal sealed class CcContact(string id, string email, DateTimeOffset created)
{
    private Dictionary<string, string>? _customFields;

    /// <summary>The contact's lock (the contact itself: no extra object per contact among a million).</summary>
    public object Sync => this;

    public string Id { get; } = id;

    public string Email { get; } = email;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset Updated { get; set; } = created;

    /// <summary>implicit, explicit, unsubscribed, pending_confirmation or not_set.</summary>
    public string PermissionToSend { get; set; } = "implicit";

    public string OptInSource { get; set; } = "Account";

    /// <summary>Standard import columns (first_name, job_title, ...) by their import names.</summary>
    public SmallMap<string> Properties { get; } = new();

    /// <summary>Custom field values by field name (the import column without its <c>cf:</c> prefix), created on first use.</summary>
    public Dictionary<string, string> CustomFields => _customFields ??= new(StringComparer.Ordinal);

    /// <summary>The lists the contact is a member of (ids).</summary>
    public SmallSet ListIds { get; } = new();

    public bool Deleted { get; set; }

    /// <summary>Which lists have this contact in their insertion order (see <see cref="TrackOnce"/>).</summary>
    internal long TrackedBy;
}

internal sealed class CcList(string id, string name, DateTimeOffset created, int slot)
{
    private readonly Lock _orderLock = new();
    private readonly List<CcContact> _order = [];
    private readonly TrackOnce _tracked = new(slot);

    public string Id { get; } = id;

    public string Name { get; } = name;

    public DateTimeOffset Created { get; } = created;

    /// <summary>Remembers the contact for paging; membership itself is <see cref="CcContact.ListIds"/>.</summary>
    public void Track(CcContact contact)
    {
        if (_tracked.TryMark(ref contact.TrackedBy, contact))
        {
            lock (_orderLock)
            {
                _order.Add(contact);
            }
        }
    }

    /// <summary>Current members from position <paramref name="from"/>; returns where the next page starts (-1 at the end).</summary>
    public (List<CcContact> Page, int Next) Page(int from, int limit)
    {
        var page = new List<CcContact>(Math.Min(limit, 500));
        lock (_orderLock)
        {
            var i = from;
            for (; i < _order.Count && page.Count < limit; i++)
            {
                if (IsMember(_order[i]))
                {
                    page.Add(_order[i]);
                }
            }

            return (page, i < _order.Count ? i : -1);
        }
    }

    public int MembershipCount()
    {
        lock (_orderLock)
        {
            return _order.Count(IsMember);
        }
    }

    private bool IsMember(CcContact contact)
    {
        lock (contact.Sync)
        {
            return !contact.Deleted && contact.ListIds.Contains(Id);
        }
    }
}

internal sealed record CcCustomField(string Id, string Name, string Label, string Type, DateTimeOffset Created);

internal sealed class CcActivity(string id, string type, DateTimeOffset created)
{
    public string Id { get; } = id;

    public string Type { get; } = type;

    public DateTimeOffset Created { get; } = created;

    /// <summary>initialized, processing, completed, cancelled, failed or timed_out (provider-apis 3.3).</summary>
    public string State { get; set; } = "initialized";

    public DateTimeOffset? Started { get; set; }

    public DateTimeOffset? Completed { get; set; }

    public DateTimeOffset Updated { get; set; } = created;

    public int PercentDone { get; set; }

    public List<string> Errors { get; } = [];

    /// <summary>items_total_count, person_count, error_count, correctable_count, cannot_add_to_list_count, ...</summary>
    public Dictionary<string, int> Status { get; } = new(StringComparer.Ordinal);

    public void Add(string counter, int by = 1) => Status[counter] = Status.GetValueOrDefault(counter) + by;
}
