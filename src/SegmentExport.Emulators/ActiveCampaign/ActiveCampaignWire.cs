using System.Globalization;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>Bulk import body, snake_case (provider-apis 2.3); read with <c>SandboxJson.SnakeCase</c>.</summary>
internal sealed class BulkImportRequest
{
    public List<BulkContact>? Contacts { get; set; }

    public bool ExcludeAutomations { get; set; }

    /// <summary>
    /// The usual import body, read by hand (see <see cref="JsonBody.ReadAsync{T}"/>): null for anything unusual (a null
    /// row, a value of an unexpected type), which the serializer then reads as before.
    /// </summary>
    public static BulkImportRequest? TryRead(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var request = new BulkImportRequest();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("contacts"u8))
            {
                var start = FastJson.Next(ref reader);
                if (start == JsonTokenType.Null)
                {
                    request.Contacts = null;
                    continue;
                }

                if (start != JsonTokenType.StartArray)
                {
                    return null;
                }

                var contacts = new List<BulkContact>(256);
                var shared = new Dictionary<int, List<BulkListRef>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (BulkContact.TryRead(ref reader, shared) is not { } contact)
                    {
                        return null;
                    }

                    contacts.Add(contact);
                }

                request.Contacts = contacts;
            }
            else if (reader.ValueTextEquals("exclude_automations"u8))
            {
                if (!FastJson.TryBool(ref reader, out var exclude))
                {
                    return null;
                }

                request.ExcludeAutomations = exclude;
            }
            else if (!FastJson.TrySkip(ref reader))
            {
                return null;
            }
        }

        return FastJson.AtEnd(ref reader) ? request : null;
    }
}

internal sealed class BulkContact
{
    public string? Email { get; set; }

    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Phone { get; set; }

    public string? CustomerAcctName { get; set; }

    public List<string>? Tags { get; set; }

    public List<BulkFieldValue>? Fields { get; set; }

    public List<BulkListRef>? Subscribe { get; set; }

    public List<BulkListRef>? Unsubscribe { get; set; }

    /// <summary>One row from its start token; null when it is not an object of the usual shape.</summary>
    /// <param name="shared">
    /// One-list lists by list id, shared by the rows of one request that name the same single list (rows are only read
    /// after parsing, never changed).
    /// </param>
    public static BulkContact? TryRead(ref Utf8JsonReader reader, Dictionary<int, List<BulkListRef>> shared)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var contact = new BulkContact();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            string? text;
            if (reader.ValueTextEquals("email"u8))
            {
                ok = FastJson.TryString(ref reader, out text);
                contact.Email = text;
            }
            else if (reader.ValueTextEquals("first_name"u8))
            {
                ok = FastJson.TryString(ref reader, out text);
                contact.FirstName = text;
            }
            else if (reader.ValueTextEquals("last_name"u8))
            {
                ok = FastJson.TryString(ref reader, out text);
                contact.LastName = text;
            }
            else if (reader.ValueTextEquals("phone"u8))
            {
                ok = FastJson.TryString(ref reader, out text);
                contact.Phone = text;
            }
            else if (reader.ValueTextEquals("customer_acct_name"u8))
            {
                ok = FastJson.TryString(ref reader, out text);
                contact.CustomerAcctName = text;
            }
            else if (reader.ValueTextEquals("subscribe"u8))
            {
                ok = TryLists(ref reader, shared, out var lists);
                contact.Subscribe = lists;
            }
            else if (reader.ValueTextEquals("unsubscribe"u8))
            {
                ok = TryLists(ref reader, shared, out var lists);
                contact.Unsubscribe = lists;
            }
            else if (reader.ValueTextEquals("tags"u8) || reader.ValueTextEquals("fields"u8))
            {
                // Rare in bulk imports: left to the serializer.
                ok = false;
            }
            else
            {
                ok = FastJson.TrySkip(ref reader);
            }

            if (!ok)
            {
                return null;
            }
        }

        return contact;
    }

    /// <summary><c>[{"listid": n}, ...]</c> or null; a null element or an unexpected value gives up.</summary>
    private static bool TryLists(ref Utf8JsonReader reader, Dictionary<int, List<BulkListRef>> shared, out List<BulkListRef>? lists)
    {
        lists = null;
        var start = FastJson.Next(ref reader);
        if (start != JsonTokenType.StartArray)
        {
            return start == JsonTokenType.Null;
        }

        lists = new List<BulkListRef>(1);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var list = new BulkListRef();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("listid"u8))
                {
                    if (!FastJson.TryInt(ref reader, out var id))
                    {
                        return false;
                    }

                    list.Listid = id;
                }
                else if (!FastJson.TrySkip(ref reader))
                {
                    return false;
                }
            }

            lists.Add(list);
        }

        if (lists is [var only])
        {
            lists = shared.TryGetValue(only.Listid, out var same) ? same : shared[only.Listid] = lists;
        }

        return true;
    }
}

internal sealed class BulkFieldValue
{
    public int Id { get; set; }

    public string? Value { get; set; }
}

internal sealed class BulkListRef
{
    public int Listid { get; set; }
}

/// <summary>Regular v3 resources are camelCase and wrapped in a singular key (provider-apis 2.3, 2.4, 2.5).</summary>
internal sealed class SyncRequest
{
    public SyncContact? Contact { get; set; }
}

internal sealed class SyncContact
{
    public string? Email { get; set; }

    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Phone { get; set; }

    public List<SyncFieldValue>? FieldValues { get; set; }
}

internal sealed class SyncFieldValue
{
    public int Field { get; set; }

    public string? Value { get; set; }
}

internal sealed class ContactListRequest
{
    public ContactListBody? ContactList { get; set; }
}

internal sealed class ContactListBody
{
    public int List { get; set; }

    public int Contact { get; set; }

    public int Status { get; set; }

    public int? Sourceid { get; set; }
}

internal sealed class FieldRequest
{
    public FieldBody? Field { get; set; }
}

internal sealed class FieldBody
{
    public string? Type { get; set; }

    public string? Title { get; set; }

    public string? Perstag { get; set; }
}

internal sealed class TagRequest
{
    public TagBody? Tag { get; set; }
}

internal sealed class TagBody
{
    public string? Tag { get; set; }

    public string? TagType { get; set; }
}

internal sealed class ContactTagRequest
{
    public ContactTagBody? ContactTag { get; set; }
}

internal sealed class ContactTagBody
{
    public int Contact { get; set; }

    public int Tag { get; set; }
}

internal static class AcWire
{
    public static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'-00:00'", CultureInfo.InvariantCulture);

    public static object Contact(AcContact c)
    {
        lock (c.Sync)
        {
            return new
            {
                id = Id(c.Id),
                email = c.Email,
                firstName = c.FirstName ?? "",
                lastName = c.LastName ?? "",
                phone = c.Phone ?? "",
                orgname = c.CustomerAccount ?? "",
                cdate = Time(c.Created),
                udate = Time(c.Updated),
                deleted = c.Deleted ? "1" : "0",
                links = new { },
            };
        }
    }

    public static object List(AcList l) => new
    {
        id = Id(l.Id),
        stringid = l.Name.ToLowerInvariant().Replace(' ', '-'),
        name = l.Name,
        cdate = Time(l.Created),
        subscriber_count = l.Count,
        links = new { },
    };

    public static object Field(AcField f) => new
    {
        id = Id(f.Id),
        title = f.Title,
        type = f.Type,
        perstag = f.PersTag,
        descript = "",
        defval = "",
        visible = "1",
        ordernum = Id(f.Id),
        links = new { },
    };

    public static object Meta(int total) => new { total = Id(total) };
}
