using Npgsql;
using NpgsqlTypes;

namespace SegmentExport.Web.Profiles;

/// <summary>What a merge did.</summary>
public sealed record MergeCounts(long Read, long Inserted, long Updated, long Unchanged, long Rejected);

/// <summary>
/// Loads <see cref="ProfileRow"/>s into a temporary staging table with binary COPY and merges them into
/// <c>profiles</c> with set-based SQL, inside the caller's transaction: the CSV import and the JSON API
/// both go through here, so they validate and merge alike.
/// </summary>
public sealed class ProfileMerge(NpgsqlConnection connection, ImportMapping mapping, string rowNoun = "line")
{
    // Serializes merges, so two imports of the same new external id cannot both insert it.
    private const long MergeLockKey = 0x50726F66696C65;

    private static readonly (ColumnTarget Target, string Column)[] CoreColumns =
    [
        (ColumnTarget.ExternalId, "external_id"),
        (ColumnTarget.Email, "email"),
        (ColumnTarget.FirstName, "first_name"),
        (ColumnTarget.LastName, "last_name"),
        (ColumnTarget.Phone, "phone"),
    ];

    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync($"SELECT pg_advisory_xact_lock({MergeLockKey})", cancellationToken);
        await ExecuteAsync("""
            CREATE TEMP TABLE import_staging (
                row_number bigint NOT NULL,
                reason text,
                match_key text,
                external_id text,
                email text,
                first_name text,
                last_name text,
                phone text,
                attributes jsonb
            ) ON COMMIT DROP
            """, cancellationToken);
    }

    /// <summary>Streams rows into the staging table; returns how many were read.</summary>
    public async Task<long> LoadAsync(IEnumerable<ProfileRow> rows, Func<long, Task>? progress, CancellationToken cancellationToken)
    {
        long count = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY import_staging (row_number, reason, match_key, external_id, email, first_name, last_name, phone, attributes) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(row.RowNumber, NpgsqlDbType.Bigint, cancellationToken);
                await WriteAsync(copy, row.Reason, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, row.MatchKey, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, row.ExternalId, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, row.Email, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, row.FirstName, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, row.LastName, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, row.Phone, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, row.AttributesJson, NpgsqlDbType.Jsonb, cancellationToken);
                count++;
                if (progress is not null && count % 50_000 == 0)
                {
                    await progress(count);
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }

        return count;
    }

    /// <summary>Rejects in-file duplicates, records rejections, updates what changed, inserts what is new.</summary>
    public async Task<MergeCounts> MergeAsync(long read, long? importId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var keyName = mapping.MatchesByExternalId ? "external id" : "email address";
        await ExecuteAsync("ANALYZE import_staging", cancellationToken);
        await ExecuteAsync($"""
            WITH firsts AS (
                SELECT match_key, min(row_number) AS first_row FROM import_staging
                WHERE reason IS NULL GROUP BY match_key HAVING count(*) > 1)
            UPDATE import_staging s
            SET reason = 'duplicate key: the same {keyName} as {rowNoun} ' || f.first_row || ', which is the one imported'
            FROM firsts f
            WHERE s.match_key = f.match_key AND s.row_number > f.first_row AND s.reason IS NULL
            """, cancellationToken);

        var rejected = await ScalarAsync("SELECT count(*) FROM import_staging WHERE reason IS NOT NULL", cancellationToken);
        if (importId is not null)
        {
            await ExecuteAsync(
                $"INSERT INTO import_rejections (import_id, row_number, reason) SELECT {importId.Value}, row_number, left(reason, 500) FROM import_staging WHERE reason IS NOT NULL ORDER BY row_number",
                cancellationToken);
        }

        var match = mapping.MatchesByExternalId ? "p.external_id = s.match_key" : "p.email_normalized = s.match_key";
        var mapped = CoreColumns.Where(c => mapping.For(c.Target) is not null).Select(c => c.Column).ToList();
        var attributes = mapping.Attributes.Any();
        var sets = mapped.Select(c => $"{c} = s.{c}").ToList();
        var changed = mapped.Select(c => $"p.{c} IS DISTINCT FROM s.{c}").ToList();
        if (attributes)
        {
            sets.Add("attributes = jsonb_strip_nulls(p.attributes || s.attributes)");
            changed.Add("p.attributes IS DISTINCT FROM jsonb_strip_nulls(p.attributes || s.attributes)");
        }

        var updated = await ExecuteAsync($"""
            UPDATE profiles p SET {string.Join(", ", sets)}, updated_at = $1
            FROM import_staging s
            WHERE s.reason IS NULL AND {match} AND ({string.Join(" OR ", changed)})
            """, cancellationToken, now);

        var inserted = await ExecuteAsync($"""
            INSERT INTO profiles ({string.Join(", ", mapped)}, attributes, created_at, updated_at)
            SELECT {string.Join(", ", mapped.Select(c => "s." + c))}, {(attributes ? "jsonb_strip_nulls(s.attributes)" : "'{}'::jsonb")}, $1, $1
            FROM import_staging s
            WHERE s.reason IS NULL AND NOT EXISTS (SELECT 1 FROM profiles p WHERE {match})
            ORDER BY s.row_number
            """, cancellationToken, now);

        var valid = read - rejected;
        return new MergeCounts(read, inserted, updated, Math.Max(0, valid - inserted - updated), rejected);
    }

    /// <summary>The rejected rows of this merge (for the API's per-item answer).</summary>
    public async Task<List<(long Row, string Reason)>> RejectionsAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT row_number, reason FROM import_staging WHERE reason IS NOT NULL ORDER BY row_number", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(long, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return rows;
    }

    /// <summary>Registers attributes this mapping writes; an existing attribute keeps its type.</summary>
    public async Task RegisterAttributesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var attribute in mapping.Attributes)
        {
            await ExecuteAsync(
                "INSERT INTO attribute_definitions (name, type, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
                cancellationToken, attribute.AttributeName!, attribute.AttributeType.ToString(), now);
        }
    }

    private static Task WriteAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, type, cancellationToken);

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        // Merges of a million rows run longer than the default 30 seconds.
        command.CommandTimeout = 0;
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
