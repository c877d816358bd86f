using System.Buffers;
using System.Text.Json;

namespace SegmentExport.Web.Profiles;

/// <summary>A profile as read from one CSV row or API item, before merging; <see cref="Reason"/> is set when it is rejected.</summary>
public sealed record ProfileRow(
    long RowNumber,
    string? Reason,
    string? MatchKey,
    string? ExternalId,
    string? Email,
    string? FirstName,
    string? LastName,
    string? Phone,
    string? AttributesJson)
{
    public static ProfileRow Rejected(long rowNumber, string reason) => new(rowNumber, reason, null, null, null, null, null, null, null);
}

/// <summary>Turns raw values into a <see cref="ProfileRow"/> by the mapping, validating every value.</summary>
public sealed class ProfileRowReader(ImportMapping mapping)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly ColumnMapping? _externalId = mapping.For(ColumnTarget.ExternalId);
    private readonly ColumnMapping? _email = mapping.For(ColumnTarget.Email);
    private readonly ColumnMapping? _firstName = mapping.For(ColumnTarget.FirstName);
    private readonly ColumnMapping? _lastName = mapping.For(ColumnTarget.LastName);
    private readonly ColumnMapping? _phone = mapping.For(ColumnTarget.Phone);
    private readonly ColumnMapping[] _attributes = [.. mapping.Attributes];

    public ProfileRow Read(long rowNumber, IReadOnlyList<string> values)
    {
        string? Value(ColumnMapping? column) =>
            column is null || column.Index >= values.Count || values[column.Index].Trim().Length == 0 ? null : values[column.Index].Trim();

        if (values.Any(v => v.Contains('\0', StringComparison.Ordinal)))
        {
            // PostgreSQL text cannot hold it, and no real value needs it.
            return ProfileRow.Rejected(rowNumber, "bad value: a value holds a null character (\\0)");
        }

        var externalId = Value(_externalId);
        var email = Value(_email);
        if (_externalId is not null && externalId is null)
        {
            return ProfileRow.Rejected(rowNumber, "missing key: the external id is empty");
        }

        if (email is null)
        {
            return ProfileRow.Rejected(rowNumber, _externalId is null ? "missing key: the email address is empty" : "the email address is empty");
        }

        if (!EmailAddress.IsValid(email))
        {
            return ProfileRow.Rejected(rowNumber, "bad email: not a valid email address");
        }

        var firstName = Value(_firstName);
        var lastName = Value(_lastName);
        var phone = Value(_phone);
        var tooLong = (externalId?.Length > ProfileLimits.ExternalId ? "the external id" : null)
            ?? (firstName?.Length > ProfileLimits.Name ? "the first name" : null)
            ?? (lastName?.Length > ProfileLimits.Name ? "the last name" : null)
            ?? (phone?.Length > ProfileLimits.Phone ? "the phone number" : null);
        if (tooLong is not null)
        {
            return ProfileRow.Rejected(rowNumber, $"over-long value: {tooLong} is too long");
        }

        string? attributes = null;
        if (_attributes.Length > 0)
        {
            _buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(_buffer))
            {
                json.WriteStartObject();
                foreach (var attribute in _attributes)
                {
                    var text = attribute.Index < values.Count ? values[attribute.Index] : "";
                    if (text.Length > ProfileLimits.AttributeText)
                    {
                        return ProfileRow.Rejected(rowNumber, $"over-long value: '{attribute.AttributeName}' is longer than {ProfileLimits.AttributeText:N0} characters");
                    }

                    if (AttributeValues.Write(json, attribute.AttributeName!, attribute.AttributeType, text) is { } problem)
                    {
                        return ProfileRow.Rejected(rowNumber, problem);
                    }
                }

                json.WriteEndObject();
            }

            attributes = System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }

        var key = externalId ?? email.ToLowerInvariant();
        return new ProfileRow(rowNumber, null, key, externalId, email, firstName, lastName, phone, attributes);
    }
}
