using Npgsql;
using NpgsqlTypes;
using SegmentExport.Destinations;

namespace SegmentExport.Web.Exports;

/// <summary>What one acknowledged batch changed, to be committed as one checkpoint.</summary>
public sealed class BatchTally
{
    /// <summary>Members the platform accepted: normalized email, payload hash, and whether this export had never delivered it.</summary>
    public List<(string Email, long Hash, bool New)> Delivered { get; } = [];
    public List<string> Removed { get; } = [];
    public List<(string Email, bool Rejected, string? Code, string Reason)> Undelivered { get; } = [];
    public long Sent { get; set; }
    public long Created { get; set; }
    public long Updated { get; set; }
    public long Unchanged { get; set; }
    public long Skipped { get; set; }
    public long Rejected { get; set; }
    public long RemovedCount { get; set; }
    public long Retries { get; set; }
    public long ToSend { get; set; }

    /// <summary>Adds what a later batch changed, so both commit as one checkpoint.</summary>
    public void Absorb(BatchTally later)
    {
        ArgumentNullException.ThrowIfNull(later);
        Delivered.AddRange(later.Delivered);
        Removed.AddRange(later.Removed);
        Undelivered.AddRange(later.Undelivered);
        Sent += later.Sent;
        Created += later.Created;
        Updated += later.Updated;
        Unchanged += later.Unchanged;
        Skipped += later.Skipped;
        Rejected += later.Rejected;
        RemovedCount += later.RemovedCount;
        Retries += later.Retries;
        ToSend += later.ToSend;
    }
}

/// <summary>
/// Writes a run's progress. A checkpoint (deliveries, undelivered rows, counters, cursor) is one
/// transaction, committed only after the platform acknowledged the batch: a run that dies between two
/// checkpoints re-sends at most the batches in flight and the one being committed, which the platforms upsert harmlessly.
/// </summary>
public sealed class RunLedger(NpgsqlDataSource dataSource, long exportId, long runId, TimeProvider clock)
{
    private bool _cancelRequested;
    private long _cancelCheckedAt = long.MinValue;

    /// <summary>Commits one checkpoint; returns whether a cancel was requested (read in the same transaction).</summary>
    public async Task<bool> CheckpointAsync(BatchTally tally, RunPhase phase, string? cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tally);
        try
        {
            return await CommitAsync(tally, phase, cursor, upsertAll: false, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // A member the run read as never delivered has a delivery after all (written since the run read it): the
            // whole checkpoint was rolled back, and is committed again with every delivery as an upsert.
            return await CommitAsync(tally, phase, cursor, upsertAll: true, cancellationToken);
        }
    }

    private async Task<bool> CommitAsync(BatchTally tally, RunPhase phase, string? cursor, bool upsertAll, CancellationToken cancellationToken)
    {
        // The checkpoint's statements go as one batch in one round trip (a first run of a million commits a few thousand
        // checkpoints; each used to cost four: the transaction's start, the deliveries, the counters, the commit).
        // PostgreSQL runs a batch as one implicit transaction: an error in any statement rolls back the ones before it
        // and skips the ones after, so a checkpoint is still all or nothing.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        var now = clock.GetUtcNow();
        if (tally.Delivered.Count > 0)
        {
            // Members never delivered to this export are plain inserts, most of a first run: an upsert checks the key
            // before inserting and costs PostgreSQL about twice the CPU per row.
            var fresh = upsertAll ? 0 : tally.Delivered.Count(d => d.New);
            if (fresh > 0)
            {
                var (emails, hashes) = Columns(tally.Delivered, fresh, isNew: true);
                Add(batch, """
                    INSERT INTO export_deliveries (export_id, email_normalized, payload_hash, run_id, delivered_at)
                    SELECT $1, e, h, $2, $3 FROM unnest($4::text[], $5::bigint[]) AS t(e, h)
                    """, exportId, runId, now, emails, hashes);
            }

            if (fresh < tally.Delivered.Count)
            {
                var (emails, hashes) = Columns(tally.Delivered, tally.Delivered.Count - fresh, isNew: upsertAll ? null : false);
                Add(batch, """
                    INSERT INTO export_deliveries (export_id, email_normalized, payload_hash, run_id, delivered_at)
                    SELECT $1, e, h, $2, $3 FROM unnest($4::text[], $5::bigint[]) AS t(e, h)
                    ON CONFLICT (export_id, email_normalized) DO UPDATE
                    SET payload_hash = excluded.payload_hash, run_id = excluded.run_id, delivered_at = excluded.delivered_at
                    """, exportId, runId, now, emails, hashes);
            }
        }

        if (tally.Removed.Count > 0)
        {
            Add(batch, "DELETE FROM export_deliveries WHERE export_id = $1 AND email_normalized = ANY($2)", exportId, tally.Removed.ToArray());
        }

        if (tally.Undelivered.Count > 0)
        {
            Add(batch, """
                INSERT INTO export_run_rows (run_id, email, rejected, code, reason)
                SELECT $1, e, r, c, left(m, 1000) FROM unnest($2::text[], $3::boolean[], $4::text[], $5::text[]) AS t(e, r, c, m)
                """, runId,
                tally.Undelivered.Select(u => u.Email).ToArray(), tally.Undelivered.Select(u => u.Rejected).ToArray(),
                tally.Undelivered.Select(u => (object?)u.Code ?? DBNull.Value).ToArray(), tally.Undelivered.Select(u => u.Reason).ToArray());
        }

        Add(batch, """
            UPDATE export_runs SET phase = $2, cursor = $3, to_send = to_send + $4, sent = sent + $5, created = created + $6,
                updated = updated + $7, unchanged = unchanged + $8, skipped = skipped + $9, rejected = rejected + $10,
                removed = removed + $11, retries = retries + $12
            WHERE id = $1
            RETURNING cancel_requested
            """, runId, phase.ToString(), (object?)cursor ?? DBNull.Value, tally.ToSend, tally.Sent, tally.Created,
            tally.Updated, tally.Unchanged, tally.Skipped, tally.Rejected, tally.RemovedCount, tally.Retries);

        // The commit does not wait for the WAL flush (this transaction only; see the README's Architecture): read at
        // the commit, which comes after the last statement.
        Add(batch, "SELECT set_config('synchronous_commit', 'off', true)");

        bool? cancelRequested = null;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                if (reader.FieldCount == 1 && reader.GetName(0) == "cancel_requested" && await reader.ReadAsync(cancellationToken))
                {
                    cancelRequested = reader.GetBoolean(0);
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        return Remember(cancelRequested ?? throw new InvalidOperationException($"Export run {runId} no longer exists."));
    }

    public async Task EventAsync(string message, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, "INSERT INTO export_run_events (run_id, at, message) VALUES ($1, $2, $3)", cancellationToken, runId, clock.GetUtcNow(), message);
    }

    /// <summary>Whether a cancel was requested; with <paramref name="fresh"/>, an answer younger than that (a checkpoint's) is reused.</summary>
    public async Task<bool> CancelRequestedAsync(CancellationToken cancellationToken, TimeSpan? fresh = null)
    {
        if (fresh is { } age && _cancelCheckedAt != long.MinValue && clock.GetElapsedTime(_cancelCheckedAt) < age)
        {
            return _cancelRequested;
        }

        await using var command = dataSource.CreateCommand("SELECT cancel_requested FROM export_runs WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        return Remember((bool)(await command.ExecuteScalarAsync(cancellationToken))!);
    }

    private bool Remember(bool cancelRequested)
    {
        _cancelRequested = cancelRequested;
        _cancelCheckedAt = clock.GetTimestamp();
        return cancelRequested;
    }

    public async Task SetAsync(string assignments, CancellationToken cancellationToken, params object?[] values)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"UPDATE export_runs SET {assignments} WHERE id = $1", cancellationToken, [runId, .. values]);
    }

    /// <summary>The emails and hashes of the deliveries with <paramref name="isNew"/> (all when null), <paramref name="count"/> of them.</summary>
    private static (string[] Emails, long[] Hashes) Columns(List<(string Email, long Hash, bool New)> delivered, int count, bool? isNew)
    {
        var emails = new string[count];
        var hashes = new long[count];
        var next = 0;
        foreach (var d in delivered)
        {
            if (isNew is not { } wanted || d.New == wanted)
            {
                emails[next] = d.Email;
                hashes[next++] = d.Hash;
            }
        }

        return (emails, hashes);
    }

    private static void Add(NpgsqlBatch batch, string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        batch.BatchCommands.Add(command);
    }

    private static NpgsqlParameter Parameter(object? value) => value is object?[] texts
        ? new NpgsqlParameter { Value = texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text }
        : new NpgsqlParameter { Value = value ?? DBNull.Value };

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
