using System.Security.Cryptography;
using System.Text;

namespace SegmentExport.Emulators.Mailchimp;

public enum MemberStatus
{
    Subscribed,
    Unsubscribed,
    Cleaned,
    Pending,
    Transactional,
    Archived,
}

internal static class MemberStatuses
{
    public static string Wire(MemberStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Parses a status a client may send (archived is a state, not something to send).</summary>
    public static bool TryParseSendable(string? value, out MemberStatus status)
    {
        status = value switch
        {
            "subscribed" => MemberStatus.Subscribed,
            "unsubscribed" => MemberStatus.Unsubscribed,
            "cleaned" => MemberStatus.Cleaned,
            "pending" => MemberStatus.Pending,
            "transactional" => MemberStatus.Transactional,
            _ => MemberStatus.Archived,
        };
        return status != MemberStatus.Archived;
    }

    public static MemberStatus ParseSeed(string value) =>
        value.Length == 0 ? MemberStatus.Subscribed : Enum.Parse<MemberStatus>(value, ignoreCase: true);

    /// <summary>subscriber_hash = MD5 of the lower-cased email (provider-apis 1.3A).</summary>
    public static string SubscriberHash(string email)
    {
#pragma warning disable CA5351 // Not security: MD5 is how Mailchimp names members, and clients compute the same hash.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(email.ToLowerInvariant())));
#pragma warning restore CA5351
    }
}

internal sealed class MailchimpMember(string email, string contactId, DateTimeOffset created)
{
    public Lock Sync { get; } = new();

    public string Email { get; } = email;

    public string Hash { get; } = MemberStatuses.SubscriberHash(email);

    public string ContactId { get; } = contactId;

    public DateTimeOffset Created { get; } = created;

    public MemberStatus Status { get; set; }

    /// <summary>Merge values by tag: a string, or a JsonElement for objects such as ADDRESS.</summary>
    public Dictionary<string, object?> MergeFields { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Tags { get; } = new(StringComparer.OrdinalIgnoreCase);

    public DateTimeOffset LastChanged { get; set; } = created;
}

internal sealed record MergeField(int MergeId, string Tag, string Name, string Type, bool Required, string DefaultValue, int DisplayOrder, IReadOnlyList<string> Choices);

internal sealed record StaticSegment(int Id, string Name, DateTimeOffset Created);

/// <summary>
/// One audience. Members are found by email in a dictionary and kept in insertion order for paging; status counts are
/// maintained on every change so list stats never scan members.
/// </summary>
internal sealed class MailchimpList(string id, string name, DateTimeOffset created)
{
    private readonly Lock _orderLock = new();
    private readonly List<MailchimpMember> _order = [];
    private readonly int[] _counts = new int[Enum.GetValues<MemberStatus>().Length];
    private readonly Lock _fieldsLock = new();
    private MergeField[] _mergeFields = [];

    public string Id { get; } = id;

    public string Name { get; } = name;

    public int WebId { get; } = Math.Abs(id.GetHashCode(StringComparison.Ordinal) % 1_000_000);

    public DateTimeOffset Created { get; } = created;

    public ConcurrentDictionary<string, MailchimpMember> Members { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Members by subscriber hash, for the single-member endpoints.</summary>
    public ConcurrentDictionary<string, MailchimpMember> ByHash { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Emails permanently deleted: re-adding them gives "Forgotten Email Not Subscribed" (provider-apis 1.5).</summary>
    public ConcurrentDictionary<string, byte> Forgotten { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Tags are static segments (provider-apis 1.4), found by name and by id.</summary>
    public ConcurrentDictionary<string, StaticSegment> SegmentsByName { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentDictionary<int, StaticSegment> SegmentsById { get; } = new();

    public IReadOnlyList<MergeField> MergeFields => Volatile.Read(ref _mergeFields);

    public int Count(MemberStatus status) => Volatile.Read(ref _counts[(int)status]);

    public int TotalInOrder
    {
        get
        {
            lock (_orderLock)
            {
                return _order.Count;
            }
        }
    }

    /// <summary>Adds a brand-new member; false when another request added the email first.</summary>
    public bool TryAdd(MailchimpMember member)
    {
        if (!Members.TryAdd(member.Email, member))
        {
            return false;
        }

        ByHash[member.Hash] = member;
        Interlocked.Increment(ref _counts[(int)member.Status]);
        lock (_orderLock)
        {
            _order.Add(member);
        }

        return true;
    }

    /// <summary>Changes a member's status; call with the member's lock held.</summary>
    public void SetStatus(MailchimpMember member, MemberStatus status)
    {
        if (member.Status == status)
        {
            return;
        }

        Interlocked.Decrement(ref _counts[(int)member.Status]);
        Interlocked.Increment(ref _counts[(int)status]);
        member.Status = status;
    }

    public bool Forget(MailchimpMember member)
    {
        if (!Members.TryRemove(new KeyValuePair<string, MailchimpMember>(member.Email, member)))
        {
            return false;
        }

        ByHash.TryRemove(member.Hash, out _);
        Interlocked.Decrement(ref _counts[(int)member.Status]);
        Forgotten[member.Email] = 0;
        return true;
    }

    /// <summary>Members in insertion order from <paramref name="offset"/>, skipping forgotten ones and applying the filter.</summary>
    public List<MailchimpMember> Page(int offset, int count, Func<MailchimpMember, bool> include)
    {
        var page = new List<MailchimpMember>(Math.Min(count, 1000));
        var skipped = 0;
        lock (_orderLock)
        {
            foreach (var member in _order)
            {
                if (!include(member) || !Members.ContainsKey(member.Email))
                {
                    continue;
                }

                if (skipped++ < offset)
                {
                    continue;
                }

                page.Add(member);
                if (page.Count == count)
                {
                    break;
                }
            }
        }

        return page;
    }

    public MergeField AddMergeField(Func<int, MergeField> create)
    {
        lock (_fieldsLock)
        {
            var field = create(_mergeFields.Length + 1);
            _mergeFields = [.. _mergeFields, field];
            return field;
        }
    }

    public StaticSegment SegmentFor(string name, Func<int> nextId, DateTimeOffset now) =>
        SegmentsByName.GetOrAdd(name, n =>
        {
            var segment = new StaticSegment(nextId(), n, now);
            SegmentsById[segment.Id] = segment;
            return segment;
        });
}
