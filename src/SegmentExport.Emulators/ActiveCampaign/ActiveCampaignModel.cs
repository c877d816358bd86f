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
    public Lock Sync { get; } = new();

    public int Id { get; } = id;

    public string Email { get; } = email;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset Updated { get; set; } = created;

    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Phone { get; set; }

    public string? CustomerAccount { get; set; }

    public Dictionary<int, string> FieldValues { get; } = [];

    public HashSet<int> TagIds { get; } = [];

    /// <summary>List id to membership status.</summary>
    public Dictionary<int, int> Lists { get; } = [];

    public bool Deleted { get; set; }
}

internal sealed class AcList(int id, string name, DateTimeOffset created)
{
    private readonly Lock _orderLock = new();
    private readonly List<AcContact> _order = [];
    private readonly ConcurrentDictionary<int, byte> _members = new();

    public int Id { get; } = id;

    public string Name { get; } = name;

    public DateTimeOffset Created { get; } = created;

    public int Count => _members.Count;

    /// <summary>Records that a contact has a membership (any status) in this list, once, in insertion order.</summary>
    public void Track(AcContact contact)
    {
        if (_members.TryAdd(contact.Id, 0))
        {
            lock (_orderLock)
            {
                _order.Add(contact);
            }
        }
    }

    public bool Has(AcContact contact) => _members.ContainsKey(contact.Id);

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

    public IReadOnlyList<BulkContact> Contacts { get; } = contacts;

    /// <summary>waiting, claimed, active, completed (provider-apis 2.3).</summary>
    public string State { get; set; } = "waiting";

    public List<string> Success { get; } = [];

    public List<string> Failure { get; } = [];
}
