using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using SegmentExport.Destinations;

namespace SegmentExport.Web.Exports;

/// <summary>One member as a contact, with what this export last delivered for the same email.</summary>
/// <param name="Contact">What would be sent; <see cref="ExportMembers.NotBuilt"/> for a member streamed as unchanged.</param>
public sealed record Member(string EmailNormalized, ContactRecord Contact, long PayloadHash, long? DeliveredHash)
{
    /// <summary>What this export last delivered for the email is what it would send now.</summary>
    public bool Unchanged => DeliveredHash == PayloadHash;
}

/// <summary>
/// Reads an export's members in keyset order of the normalized email: distinct emails across the chosen segments (a
/// profile in several segments, or two profiles sharing an email, is sent once: the lowest profile id wins), mapped
/// to contacts, each joined to the export's last delivery. The order is byte order (<c>~&lt;~</c>, the order of the
/// <c>text_pattern_ops</c> index on the email), the same on every server whatever its collation, so a cursor saved on
/// one node means the same on another.
/// </summary>
public sealed class ExportMembers(NpgsqlDataSource dataSource, long exportId, long[] segmentIds, ExportMapping mapping, IReadOnlyList<string> fixedTags, bool tagWithSegmentNames)
{
    private const string Members = """
        FROM profiles p
        WHERE p.email_normalized IS NOT NULL AND p.email_normalized <> ''
          AND EXISTS (SELECT 1 FROM segment_members m WHERE m.profile_id = p.id AND m.segment_id = ANY($1))
        """;

    private readonly bool _needsAttributes = mapping.Fields.Any(f => f.Source.StartsWith(ExportMapping.AttributePrefix, StringComparison.Ordinal));

    // The contact's fields in key order (as the payload hash takes them); a target mapped twice keeps its last source.
    private readonly FieldMap[] _fields = mapping.Fields
        .Select((map, index) => (map, index))
        .GroupBy(f => f.map.Target, StringComparer.Ordinal)
        .Select(g => g.Last().map)
        .OrderBy(f => f.Target, StringComparer.Ordinal)
        .ToArray();

    private string[] Targets => field ??= _fields.Select(f => f.Target).ToArray();

    /// <summary>The contact of a member streamed as unchanged: never sent, so never built.</summary>
    public static readonly ContactRecord NotBuilt = new("", new Dictionary<string, string?>());

    /// <summary>
    /// At least the number of distinct emails: the segments' memberships (a profile without an email, or in two of the
    /// segments, counts too), read from the membership table alone: about 60 ms and 0.2 CPU-s per million, where
    /// <see cref="CountUpperBoundAsync"/> joins the profiles for 0.5 s and 1.3 CPU-s. A run's cap check starts here.
    /// </summary>
    public Task<long> CountMembershipsAsync(CancellationToken cancellationToken) =>
        ScalarAsync("SELECT count(*) FROM segment_members WHERE segment_id = ANY($1)", cancellationToken);

    /// <summary>
    /// At least the number of distinct emails: every profile with an email in the segments, duplicates included. A set
    /// scan without the sort that distinct needs: about a second per million members.
    /// </summary>
    public Task<long> CountUpperBoundAsync(CancellationToken cancellationToken) => ScalarAsync($"SELECT count(*) {Members}", cancellationToken);

    /// <summary>The exact number of distinct emails (a sort over all members: use when the upper bound is over a cap).</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken) => ScalarAsync($"SELECT count(*) FROM (SELECT DISTINCT p.email_normalized {Members}) e", cancellationToken);

    /// <summary>
    /// Every member after <paramref name="cursor"/> (exclusive), streamed from one query on its own connection: one
    /// pass over the tables (hash joins and a sort) instead of an index walk per page, read as fast as it is consumed.
    /// </summary>
    /// <param name="buildUnchanged">Build the contact of unchanged members too (a full resync sends them).</param>
    public IAsyncEnumerable<Member> StreamAsync(string? cursor, bool buildUnchanged, CancellationToken cancellationToken) =>
        QueryAsync(cursor, null, buildUnchanged, cancellationToken);

    /// <summary>
    /// The members with these normalized emails as they are now, each with its contact built: for contacts the platform
    /// throttled, sent again from the database rather than kept in memory while their batch was in flight. An email
    /// that is no longer in the segments is not returned.
    /// </summary>
    public async Task<List<Member>> ReadAsync(IReadOnlyCollection<string> emailsNormalized, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emailsNormalized);
        var members = new List<Member>(emailsNormalized.Count);
        await foreach (var member in QueryAsync(null, emailsNormalized.ToArray(), buildUnchanged: true, cancellationToken))
        {
            members.Add(member);
        }

        return members;
    }

    private async IAsyncEnumerable<Member> QueryAsync(string? cursor, string[]? only, bool buildUnchanged, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var segmentNames = tagWithSegmentNames
            ? "ARRAY(SELECT s.name FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE m.profile_id = p.id AND m.segment_id = ANY($1) ORDER BY s.name)"
            : "NULL::text[]";
        var sql = $"""
            SELECT DISTINCT ON (p.email_normalized) p.email_normalized, NULLIF(p.email, p.email_normalized), p.first_name, p.last_name, p.phone, p.external_id,
                   {(_needsAttributes ? "p.attributes::text" : "NULL::text")}, d.payload_hash, {segmentNames}
            FROM profiles p
            LEFT JOIN export_deliveries d ON d.export_id = $2 AND d.email_normalized = p.email_normalized
            WHERE p.email_normalized IS NOT NULL AND p.email_normalized <> '' AND p.email_normalized ~>~ $3
              {(only is null ? "" : "AND p.email_normalized = ANY($4)")}
              AND EXISTS (SELECT 1 FROM segment_members m WHERE m.profile_id = p.id AND m.segment_id = ANY($1))
            ORDER BY p.email_normalized USING ~<~, p.id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        if (only is null)
        {
            await SetForWholeTablesAsync(connection, transaction, cancellationToken);
        }

        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter { Value = segmentIds });
        command.Parameters.Add(new NpgsqlParameter { Value = exportId });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor ?? "" });
        if (only is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = only });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader, buildUnchanged);
        }
    }

    private Member Read(NpgsqlDataReader reader, bool buildUnchanged)
    {
        JsonDocument? attributes = null;
        try
        {
            var values = new string?[_fields.Length];
            for (var i = 0; i < _fields.Length; i++)
            {
                var source = _fields[i].Source;
                if (source.StartsWith(ExportMapping.AttributePrefix, StringComparison.Ordinal))
                {
                    attributes ??= reader.IsDBNull(6) ? null : JsonDocument.Parse(reader.GetString(6));
                    values[i] = attributes is null ? null : Text(attributes.RootElement, source[ExportMapping.AttributePrefix.Length..]);
                }
                else
                {
                    var column = source switch
                    {
                        "first_name" => 2,
                        "last_name" => 3,
                        "phone" => 4,
                        "external_id" => 5,
                        _ => -1,
                    };
                    values[i] = column < 0 || reader.IsDBNull(column) ? null : reader.GetString(column);
                }
            }

            var segmentTags = reader.IsDBNull(8) ? [] : reader.GetFieldValue<string[]>(8);
            var tags = fixedTags.Count == 0 && segmentTags.Length == 0 ? null : fixedTags.Concat(segmentTags).Distinct(StringComparer.Ordinal).ToList();
            if (tags is { Count: 0 })
            {
                tags = null;
            }

            // The payload hash straight from the values (what PayloadHash.Of computes from the built contact), so an
            // unchanged member costs no contact: a second run over a million members builds none.
            // Most emails are stored as they are normalized: the query answers NULL for those, and one string serves as
            // both (a page holds 40,000 of them; a million members read one string each fewer).
            var normalized = reader.GetString(0);
            var email = reader.IsDBNull(1) ? normalized : reader.GetString(1).Trim();
            if (string.Equals(email, normalized, StringComparison.Ordinal))
            {
                email = normalized;
            }

            var hash = new PayloadHash.Builder();
            hash.Add(email);
            for (var i = 0; i < _fields.Length; i++)
            {
                hash.Add(_fields[i].Target);
                hash.Add(values[i]);
            }

            // (Not `tags ?? []`: that would allocate an empty list for every member without tags.)
            if (tags is not null)
            {
                foreach (var tag in tags)
                {
                    hash.Add(tag);
                }
            }

            long? delivered = reader.IsDBNull(7) ? null : reader.GetInt64(7);
            if (!buildUnchanged && delivered == hash.Value)
            {
                return new Member(normalized, NotBuilt, hash.Value, delivered);
            }

            return new Member(normalized, new ContactRecord(email, new FieldValues(Targets, values), tags), hash.Value, delivered);
        }
        finally
        {
            attributes?.Dispose();
        }
    }

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SetForWholeTablesAsync(connection, transaction, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter { Value = segmentIds });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// These queries read every member: hash joins and one sort are right whatever the statistics say. Statistics
    /// that still describe the tables before a refresh or a run (refreshes and runs now analyze after bulk changes, but
    /// a crash can leave them stale) once planned a nested loop for "a hundred members" that took 19 s at 20,000 and
    /// would take hours at a million. Only this transaction; with enough memory for the joins and the sorts of the
    /// parallel workers to stay off disk at a million members; and no JIT, which spent more compiling than it saved
    /// (measured at a million members: 2.8-3.2 s with JIT, 1.7 s without).
    /// </summary>
    private static async Task SetForWholeTablesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var settings = new NpgsqlCommand("SET LOCAL enable_nestloop = off; SET LOCAL work_mem = '100MB'; SET LOCAL jit = off", connection, transaction);
        await settings.ExecuteNonQueryAsync(cancellationToken);
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
        ArgumentNullException.ThrowIfNull(contact);
        var hash = new Builder();
        hash.Add(contact.Email);
        foreach (var (key, value) in contact.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            hash.Add(key);
            hash.Add(value);
        }

        foreach (var tag in contact.Tags ?? [])
        {
            hash.Add(tag);
        }

        return hash.Value;
    }

    /// <summary>The same fingerprint fed piece by piece: the email, then each field's key and value in key order, then the tags.</summary>
    public struct Builder
    {
        private ulong _hash;
        private bool _started;

        public readonly long Value => unchecked((long)(_started ? _hash : 14695981039346656037UL));

        public void Add(string? text)
        {
            if (!_started)
            {
                _hash = 14695981039346656037UL;
                _started = true;
            }

            foreach (var c in text ?? "\u0001")
            {
                _hash = (_hash ^ c) * 1099511628211UL;
            }

            _hash = (_hash ^ 0x1F) * 1099511628211UL;
        }
    }
}

/// <summary>
/// A contact's fields as the export maps them: the export's targets (one array shared by every contact) and this
/// contact's values. A dictionary per contact cost about 240 bytes; a page of 40,000 contacts (Constant Contact's
/// batch) held 10 MB of them.
/// </summary>
internal sealed class FieldValues(string[] keys, string?[] values) : IReadOnlyDictionary<string, string?>
{
    public int Count => keys.Length;

    public IEnumerable<string> Keys => keys;

    public IEnumerable<string?> Values => values;

    public string? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No field '{key}'.");

    public bool ContainsKey(string key) => Array.IndexOf(keys, key) >= 0;

    public bool TryGetValue(string key, out string? value)
    {
        var index = Array.IndexOf(keys, key);
        value = index >= 0 ? values[index] : null;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator()
    {
        for (var i = 0; i < keys.Length; i++)
        {
            yield return new KeyValuePair<string, string?>(keys[i], values[i]);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
