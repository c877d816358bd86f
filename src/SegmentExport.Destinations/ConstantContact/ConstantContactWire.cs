namespace SegmentExport.Destinations.ConstantContact;

// Constant Contact V3 wire records, snake_case (provider-apis 3.3 to 3.8).

/// <summary>Rows are objects of columns: standard columns plus <c>cf:&lt;name&gt;</c> custom columns (provider-apis 3.3).</summary>
internal sealed record CcImportRequest(IReadOnlyList<CcImportRow> ImportData, IReadOnlyList<string> ListIds);

/// <summary>
/// One import row, written straight from the contact: <c>email</c>, then each field with a value under its column
/// (a standard column by name, anything else as <c>cf:&lt;name&gt;</c>; a column named twice keeps the first place and
/// the last value). No dictionary per contact: an import carries 40,000 of them, and a row is kept only as long as
/// the contact it points to.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(CcImportRowConverter))]
internal sealed class CcImportRow(ContactRecord contact)
{
    /// <summary>The standard import columns the contract's fields map to by name (provider-apis 3.3).</summary>
    public static readonly string[] StandardColumns = [StandardFields.FirstName, StandardFields.LastName, StandardFields.Phone];

    public ContactRecord Contact => contact;

    public string Email => contact.Email.Trim();
}

internal sealed class CcImportRowConverter : System.Text.Json.Serialization.JsonConverter<CcImportRow>
{
    private const string CustomPrefix = "cf:";

    public override CcImportRow Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        throw new NotSupportedException("Import rows are only written.");

    public override void Write(System.Text.Json.Utf8JsonWriter writer, CcImportRow value, System.Text.Json.JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString("email", value.Email);
        var fields = value.Contact.Fields;
        var keys = fields.Keys as IReadOnlyList<string> ?? fields.Keys.ToList();
        Span<char> buffer = stackalloc char[256];
        for (var i = 0; i < keys.Count; i++)
        {
            if (fields[keys[i]] is null || WrittenEarlier(keys, i, fields))
            {
                continue;
            }

            // The last value under this column wins, in the first place it appeared.
            var last = i;
            for (var j = i + 1; j < keys.Count; j++)
            {
                if (fields[keys[j]] is not null && SameColumn(keys[i], keys[j]))
                {
                    last = j;
                }
            }

            var key = keys[i];
            if (IsPlain(key))
            {
                var name = key.Length + CustomPrefix.Length <= buffer.Length ? buffer[..(key.Length + CustomPrefix.Length)] : new char[key.Length + CustomPrefix.Length];
                CustomPrefix.CopyTo(name);
                key.CopyTo(name[CustomPrefix.Length..]);
                writer.WriteString(name, fields[keys[last]]);
            }
            else
            {
                writer.WriteString(key, fields[keys[last]]);
            }
        }

        writer.WriteEndObject();
    }

    private static bool WrittenEarlier(IReadOnlyList<string> keys, int index, IReadOnlyDictionary<string, string?> fields)
    {
        for (var j = 0; j < index; j++)
        {
            if (fields[keys[j]] is not null && SameColumn(keys[j], keys[index]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A key that is neither a standard column nor already <c>cf:</c>-prefixed: its column is <c>cf:key</c>.</summary>
    private static bool IsPlain(string key) =>
        !key.StartsWith(CustomPrefix, StringComparison.Ordinal) && Array.IndexOf(CcImportRow.StandardColumns, key) < 0;

    private static bool SameColumn(string a, string b) =>
        string.Equals(a, b, StringComparison.Ordinal) || Prefixes(a, b) || Prefixes(b, a);

    private static bool Prefixes(string plain, string prefixed) =>
        IsPlain(plain) && prefixed.Length == plain.Length + CustomPrefix.Length
        && prefixed.StartsWith(CustomPrefix, StringComparison.Ordinal) && prefixed.AsSpan(CustomPrefix.Length).SequenceEqual(plain);
}

internal sealed record CcRemoveRequest(CcSource Source, IReadOnlyList<string> ListIds);

internal sealed record CcSource(IReadOnlyList<string> ContactIds);

internal sealed record CcActivity(string ActivityId, string State, List<string>? ActivityErrors, Dictionary<string, int>? Status);

internal sealed record CcAccount(string? OrganizationName, string? ContactEmail);

internal sealed record CcLists(List<CcList> Lists);

internal sealed record CcList(string ListId, string Name, int? MembershipCount);

internal sealed record CcCustomFields(List<CcCustomField> CustomFields);

internal sealed record CcCustomField(string CustomFieldId, string Name, string Label, string Type);

internal sealed record CcContacts(List<CcContact> Contacts, [property: System.Text.Json.Serialization.JsonPropertyName("_links")] CcLinks? Links);

internal sealed record CcLinks(CcHref? Next);

internal sealed record CcHref(string? Href);

internal sealed record CcContact(string ContactId, CcEmailAddress EmailAddress, List<string>? ListMemberships);

internal sealed record CcEmailAddress(string Address, string? PermissionToSend);

internal sealed record CcError(string? ErrorKey, string? ErrorMessage);
