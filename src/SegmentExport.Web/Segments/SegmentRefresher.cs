using Npgsql;
using NpgsqlTypes;
using SegmentExport.Web.Database;

namespace SegmentExport.Web.Segments;

/// <summary>
/// The outcome of refreshing one segment. <see cref="Error"/> is a sentence when nothing changed because
/// the rules cannot run (an attribute they use was removed or changed type).
/// </summary>
public sealed record SegmentRefreshResult(long SegmentId, string Name, long MemberCount, long Joined, long Left, TimeSpan Duration, string? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Materializes a segment's membership snapshot. Each refresh is one transaction: the segment row is locked
/// (two refreshes of one segment queue up), leavers are deleted and joiners inserted by set-based SQL, and
/// the count, time and duration are recorded. Readers see the previous snapshot until the commit.
/// </summary>
public sealed class SegmentRefresher(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<SegmentRefresher> logger)
{
    /// <summary>A million-profile refresh takes seconds; the default 30 s command timeout is too tight for larger ones.</summary>
    private const int CommandTimeoutSeconds = 600;

    public async Task<SegmentRefreshResult> RefreshAsync(long segmentId, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        string name, rules;
        await using (var load = new NpgsqlCommand("SELECT name, rules::text FROM segments WHERE id = @id FOR UPDATE", connection, transaction))
        {
            load.Parameters.AddWithValue("id", segmentId);
            await using var reader = await load.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new SegmentRefreshResult(segmentId, "", 0, 0, 0, TimeSpan.Zero, $"Segment #{segmentId} does not exist (it may have been deleted).");
            }

            (name, rules) = (reader.GetString(0), reader.GetString(1));
        }

        var fields = await SegmentFields.LoadAsync(connection, cancellationToken);
        var now = clock.GetUtcNow();
        var compiled = RuleCompiler.TryCompile(rules, fields, DateOnly.FromDateTime(now.UtcDateTime), out var errors);
        if (compiled is null)
        {
            logger.LogWarning("Segment {SegmentId} not refreshed: {ErrorCount} rule errors", segmentId, errors.Count);
            return new SegmentRefreshResult(segmentId, name, 0, 0, 0, TimeSpan.Zero,
                $"Segment “{name}” was not refreshed: {string.Join(" ", errors)} Edit its rules and refresh again.");
        }

        var (count, joined, left) = await ApplyAsync(connection, transaction, segmentId, compiled, cancellationToken);
        var duration = clock.GetElapsedTime(started);
        await RecordAsync(connection, transaction, segmentId, count, now, duration, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The export member queries plan on these estimates: a first fill of a million left them at "5,000 members".
        await Statistics.RefreshAfterBulkChangeAsync(connection, Statistics.SegmentMembers, joined + left, cancellationToken);

        logger.LogInformation("Segment {SegmentId} refreshed: {MemberCount} members, {Joined} joined, {Left} left, in {DurationMs} ms",
            segmentId, count, joined, left, (long)duration.TotalMilliseconds);
        return new SegmentRefreshResult(segmentId, name, count, joined, left, duration, null);
    }

    /// <summary>Every segment, one after another, each in its own transaction. What the system refresh runs.</summary>
    public async Task<IReadOnlyList<SegmentRefreshResult>> RefreshAllAsync(CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var list = new NpgsqlCommand("SELECT id FROM segments ORDER BY id", connection))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        var results = new List<SegmentRefreshResult>(ids.Count);
        foreach (var id in ids)
        {
            var result = await RefreshAsync(id, cancellationToken);
            // Deleted since the list was read: nothing to refresh, nothing to report.
            if (result.Name.Length > 0)
            {
                results.Add(result);
            }
        }

        return results;
    }

    /// <summary>
    /// One statement: the matches are computed once; members that no longer match are deleted, new ones are
    /// inserted. Unchanged members are not touched, so a refresh that changes little writes little.
    /// </summary>
    private static async Task<(long Count, long Joined, long Left)> ApplyAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long segmentId, CompiledRule compiled, CancellationToken cancellationToken)
    {
        var sql = $"""
            WITH matched AS MATERIALIZED (
                SELECT p.id FROM profiles p WHERE {compiled.Where}
            ),
            gone AS (
                DELETE FROM segment_members m
                WHERE m.segment_id = @segment_id
                  AND NOT EXISTS (SELECT 1 FROM matched x WHERE x.id = m.profile_id)
                RETURNING 1
            ),
            added AS (
                INSERT INTO segment_members (segment_id, profile_id)
                SELECT @segment_id, x.id FROM matched x
                WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = @segment_id AND m.profile_id = x.id)
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM matched), (SELECT count(*) FROM added), (SELECT count(*) FROM gone)
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = CommandTimeoutSeconds };
        compiled.AddTo(command);
        command.Parameters.Add(new NpgsqlParameter("segment_id", NpgsqlDbType.Bigint) { Value = segmentId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long segmentId, long count,
        DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE segments SET member_count = @count, last_refreshed_at = @now WHERE id = @segment_id;
            INSERT INTO segment_refreshes (segment_id, refreshed_at, member_count, duration_ms) VALUES (@segment_id, @now, @count, @duration_ms);
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("segment_id", NpgsqlDbType.Bigint) { Value = segmentId });
        command.Parameters.Add(new NpgsqlParameter("count", NpgsqlDbType.Bigint) { Value = count });
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter("duration_ms", NpgsqlDbType.Integer) { Value = (int)Math.Min(int.MaxValue, duration.TotalMilliseconds) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
