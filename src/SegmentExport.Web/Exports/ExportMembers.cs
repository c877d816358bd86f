using System.Globalization;
using System.Text.Json;
using Npgsql;
using SegmentExport.Destinations;

namespace SegmentExport.Web.Exports;

/// <summary>One member as a contact, with what this export last delivered for the same email.</summary>
public sealed record Member(string EmailNormalized, ContactRecord Contact, long PayloadHash, long? DeliveredHash);

/// <summary>
/// Reads an export's members a page at a time in keyset order of the normalized email: distinct emails
/// across the chosen segments (a profile in several segments, or two profiles sharing an email, is
/// sent once: the lowest profile id wins), mapped to contacts, each joined to the export's last delivery.
/// </summary>
public sealed class ExportMembers(NpgsqlDataSource dataSource, long exportId, long[] segmentIds, ExportMapping mapping, IReadOnlyList<string> fixedTags, bool tagWithSegmentNames)
{
    private const string Members = """
        FROM profiles p
        WHERE p.email_normalized IS NOT NULL AND p.email_normalized <> ''
          AND EXISTS (SELECT 1 FROM segment_members m WHERE m.profile_id = p.id AND m.segment_id = ANY($2))
        """;

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(DISTINCT p.email_normalized) {Members.Replace("$2", "$1", StringComparison.Ordinal)}");
        command.Parameters.Add(new NpgsqlParameter { Value = segmentIds });
        command.CommandTimeout = 0;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The next <paramref name="limit"/> members after <paramref name="cursor"/> (exclusive).</summary>
    public async Task<List<Member>> PageAsync(string? cursor, int limit, CancellationToken cancellationToken)
    {
        var segmentNames = tagWithSegmentNames
            ? ", ARRAY(SELECT s.name FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE m.profile_id = p.id AND m.segment_id = ANY($2) ORDER BY s.name)"
            : ", NULL::text[]";
        var sql = $"""
            SELECT DISTINCT ON (p.email_normalized) p.email_normalized, p.email, p.first_name, p.last_name, p.phone, p.external_id, p.attributes::text,
                   (SELECT d.payload_hash FROM export_deliveries d WHERE d.export_id = $1 AND d.email_normalized = p.email_normalized){segmentNames}
            {Members} AND p.email_normalized > $3
            ORDER BY p.email_normalized, p.id
            LIMIT $4
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = exportId });
        command.Parameters.Add(new NpgsqlParameter { Value = segmentIds });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor ?? "" });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var page = new List<Member>(limit);
        while (await reader.ReadAsync(cancellationToken))
        {
            var core = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["first_name"] = reader.IsDBNull(2) ? null : reader.GetString(2),
                ["last_name"] = reader.IsDBNull(3) ? null : reader.GetString(3),
                ["phone"] = reader.IsDBNull(4) ? null : reader.GetString(4),
                ["external_id"] = reader.IsDBNull(5) ? null : reader.GetString(5),
            };
            using var attributes = JsonDocument.Parse(reader.GetString(6));
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var map in mapping.Fields)
            {
                fields[map.Target] = map.Source.StartsWith(ExportMapping.AttributePrefix, StringComparison.Ordinal)
                    ? Text(attributes.RootElement, map.Source[ExportMapping.AttributePrefix.Length..])
                    : core.GetValueOrDefault(map.Source);
            }

            var tags = fixedTags.Concat(reader.IsDBNull(8) ? [] : reader.GetFieldValue<string[]>(8)).Distinct(StringComparer.Ordinal).ToList();
            var contact = new ContactRecord(reader.GetString(1).Trim(), fields, tags.Count == 0 ? null : tags);
            page.Add(new Member(reader.GetString(0), contact, PayloadHash.Of(contact), reader.IsDBNull(7) ? null : reader.GetInt64(7)));
        }

        return page;
    }

    private static string? Text(JsonElement attributes, string name) =>
        !attributes.TryGetProperty(name, out var value) ? null : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetDecimal().ToString(CultureInfo.InvariantCulture),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(v => v.ToString())),
            _ => null,
        };
}

/// <summary>A stable 64-bit fingerprint of what a contact would be sent as (FNV-1a over email, fields and tags).</summary>
public static class PayloadHash
{
    public static long Of(ContactRecord contact)
    {
        var hash = 14695981039346656037UL;
        void Add(string? text)
        {
            foreach (var c in text ?? "\u0001")
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            hash = (hash ^ 0x1F) * 1099511628211UL;
        }

        Add(contact.Email);
        foreach (var (key, value) in contact.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            Add(key);
            Add(value);
        }

        foreach (var tag in contact.Tags ?? [])
        {
            Add(tag);
        }

        return unchecked((long)hash);
    }
}
