using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using SegmentExport.Emulators.Common;
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
    /// <summary>The status as the API writes it: the enum name in lower case.</summary>
    public static string Wire(MemberStatus status) => status switch
    {
        MemberStatus.Subscribed => "subscribed",
        MemberStatus.Unsubscribed => "unsubscribed",
        MemberStatus.Cleaned => "cleaned",
        MemberStatus.Pending => "pending",
        MemberStatus.Transactional => "transactional",
        MemberStatus.Archived => "archived",
        _ => status.ToString().ToLowerInvariant(),
    };

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

    /// <summary>subscriber_hash = MD5 of the lower-cased email (provider-apis 1.3A), as 32 lower-case hex digits.</summary>
    public static string SubscriberHash(string email) => HashText(SubscriberHashValue(email));

    /// <summary>The subscriber hash as a number: its 16 bytes, big-endian, so its hex form is the hash's.</summary>
    public static UInt128 SubscriberHashValue(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
#pragma warning disable CA5351 // Not security: MD5 is how Mailchimp names members, and clients compute the same hash.
        if (email.Length > 256)
        {
            MD5.HashData(Encoding.UTF8.GetBytes(email.ToLowerInvariant()), hash);
        }
        else
        {
            // The same bytes without an intermediate string or array: a member is hashed once, when created.
            Span<char> lower = stackalloc char[email.Length];
            email.AsSpan().ToLowerInvariant(lower);
            Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(email.Length)];
            var length = Encoding.UTF8.GetBytes(lower, utf8);
            MD5.HashData(utf8[..length], hash);
        }
#pragma warning restore CA5351

        return BinaryPrimitives.ReadUInt128BigEndian(hash);
    }

    public static string HashText(UInt128 hash)
    {
        Span<byte> utf8 = stackalloc byte[32];
        HashText(hash, utf8);
        return Encoding.ASCII.GetString(utf8);
    }

    /// <summary>Writes the 32 lower-case hex digits of <paramref name="hash"/> into <paramref name="utf8"/>.</summary>
    public static void HashText(UInt128 hash, Span<byte> utf8)
    {
        var digits = "0123456789abcdef"u8;
        for (var i = 31; i >= 0; i--)
        {
            utf8[i] = digits[(int)((ulong)hash & 0xF)];
            hash >>= 4;
        }
    }

    /// <summary>A subscriber hash from a path: exactly 32 hex digits, either case (as the old case-insensitive lookup).</summary>
    public static bool TryParseHash(string text, out UInt128 hash)
    {
        hash = default;
        if (text.Length != 32)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return UInt128.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out hash);
    }
}

internal sealed class MailchimpMember(string email, int contactId, DateTimeOffset created)
{
    private HashSet<string>? _tags;

    /// <summary>The member's lock (the member itself: no extra object per member among a million).</summary>
    public object Sync => this;

    public string Email { get; } = email;

    /// <summary>The subscriber hash as a number (no 32-character string kept per member); <see cref="Hash"/> is its text.</summary>
    public UInt128 HashValue { get; } = MemberStatuses.SubscriberHashValue(email);

    public string Hash => MemberStatuses.HashText(HashValue);

    public int ContactNumber { get; } = contactId;

    public string ContactId => ContactNumber.ToString(CultureInfo.InvariantCulture);

    public DateTimeOffset Created { get; } = created;

    public MemberStatus Status { get; set; }

    /// <summary>Merge values by tag: a string, or a JsonElement for objects such as ADDRESS.</summary>
    public MergeValues MergeFields { get; } = new();

    /// <summary>The member's tags, created on first use (most members have none).</summary>
    public HashSet<string> Tags => _tags ??= new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The tags to read, without creating the set.</summary>
    public IReadOnlyCollection<string> TagsOrEmpty => (IReadOnlyCollection<string>?)_tags ?? [];

    public DateTimeOffset LastChanged { get; set; } = created;
}

/// <summary>Merge values by tag: a string, null, or a JsonElement (see <see cref="SmallMap{TValue}"/>).</summary>
internal sealed class MergeValues : SmallMap<object?>;

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

    public ShardedMap<string, MailchimpMember> Members { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Members by subscriber hash, for the single-member endpoints.</summary>
    public ShardedMap<UInt128, MailchimpMember> ByHash { get; } = new();

    /// <summary>Emails permanently deleted: re-adding them gives "Forgotten Email Not Subscribed" (provider-apis 1.5).</summary>
    public ShardedMap<string, byte> Forgotten { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Tags are static segments (provider-apis 1.4), found by name and by id.</summary>
    public ConcurrentDictionary<string, StaticSegment> SegmentsByName { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentDictionary<int, StaticSegment> SegmentsById { get; } = new();

    public IReadOnlyList<MergeField> MergeFields => Volatile.Read(ref _mergeFields);

    /// <summary>The same fields as an array, to walk without an enumerator per member.</summary>
    public MergeField[] MergeFieldArray => Volatile.Read(ref _mergeFields);

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

        ByHash.Set(member.HashValue, member);
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
        if (!Members.TryRemove(member.Email, member))
        {
            return false;
        }

        ByHash.TryRemove(member.HashValue, out _);
        Interlocked.Decrement(ref _counts[(int)member.Status]);
        Forgotten.Set(member.Email, 0);
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
