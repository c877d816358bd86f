using Npgsql;

namespace SegmentExport.Web.Exports;

/// <summary>
/// Contacts this export delivered whose email is no longer in any chosen segment: the only contacts
/// leaver handling may touch (an export never unsubscribes or removes what it did not send).
/// </summary>
public sealed class ExportLeavers(NpgsqlDataSource dataSource, long exportId, long[] segmentIds)
{
    public async Task<List<string>> PageAsync(string? cursor, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT d.email_normalized FROM export_deliveries d
            WHERE d.export_id = $1 AND d.email_normalized > $3
              AND NOT EXISTS (
                SELECT 1 FROM profiles p
                WHERE p.email_normalized = d.email_normalized
                  AND EXISTS (SELECT 1 FROM segment_members m WHERE m.profile_id = p.id AND m.segment_id = ANY($2)))
            ORDER BY d.email_normalized
            LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = exportId });
        command.Parameters.Add(new NpgsqlParameter { Value = segmentIds });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor ?? "" });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var emails = new List<string>(limit);
        while (await reader.ReadAsync(cancellationToken))
        {
            emails.Add(reader.GetString(0));
        }

        return emails;
    }
}
