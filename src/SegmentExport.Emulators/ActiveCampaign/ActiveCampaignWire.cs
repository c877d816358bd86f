using System.Globalization;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>Bulk import body, snake_case (provider-apis 2.3); read with <c>SandboxJson.SnakeCase</c>.</summary>
internal sealed class BulkImportRequest
{
    public List<BulkContact>? Contacts { get; set; }

    public bool ExcludeAutomations { get; set; }
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
