using Microsoft.EntityFrameworkCore;
using Npgsql;
using Quartz;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Exports;

/// <summary>
/// One Quartz job per export. DisallowConcurrentExecution makes the cluster run it once at a time;
/// RequestRecovery makes a run whose node died fire again on a live node, where the engine resumes it
/// from its last checkpoint. A fire runs the export's active run (a recovered Running one first), or,
/// for a scheduled fire, queues one.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ExportJob(IServiceScopeFactory scopes, ExportEngine engine, ConnectionAccounts connections, ExportRuns runs, NpgsqlDataSource dataSource, ILogger<ExportJob> logger) : IJob
{
    public const string Group = "exports";
    public const string ExportIdKey = "exportId";
    public const string ScheduledKey = "scheduled";

    public static JobKey KeyFor(long exportId) => new($"export-{exportId}", Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var exportId = Convert.ToInt64(context.MergedJobDataMap[ExportIdKey], System.Globalization.CultureInfo.InvariantCulture);
        var runId = await ActiveRunAsync(exportId, cancellationToken);
        if (runId is null && context.MergedJobDataMap.ContainsKey(ScheduledKey))
        {
            runId = (await runs.QueueAsync(exportId, "schedule", "scheduler", dryRun: false, fullResync: false, cancellationToken)).RunId;
        }

        if (runId is null)
        {
            return;
        }

        long connectionId;
        await using (var scope = scopes.CreateAsyncScope())
        {
            connectionId = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Exports
                .Where(e => e.Id == exportId).Select(e => e.ConnectionId).SingleAsync(cancellationToken);
        }

        ResolvedConnection connection;
        try
        {
            connection = await connections.ResolveAsync(connectionId, cancellationToken);
        }
        catch (ConnectionUnavailableException ex)
        {
            await runs.FailAsync(runId.Value, ex.Message, cancellationToken);
            logger.LogWarning("Export {ExportId} run {RunId} could not start: its connection is unavailable", exportId, runId);
            return;
        }

        // A platform's limits are per account: exports sharing a connection take turns across the whole cluster.
        await using var turn = await ConnectionTurn.TryTakeAsync(dataSource, connectionId, cancellationToken);
        if (turn is null)
        {
            await runs.WaitForTurnAsync(runId.Value, exportId, connection.Name, ConnectionTurn.RetryAfter, cancellationToken);
            return;
        }

        var target = new ExportTarget(connection.Destination, connection.Account, connection.ProfileCap, connection.Name,
            (reason, ct) => connections.MarkNeedsReauthenticationAsync(connectionId, reason, ct));
        await engine.RunAsync(runId.Value, target, context.Scheduler.SchedulerInstanceId, cancellationToken);
    }

    private async Task<long?> ActiveRunAsync(long exportId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.ExportRuns.AsNoTracking()
            .Where(r => r.ExportId == exportId && (r.Status == RunStatus.Running || r.Status == RunStatus.Queued))
            .OrderByDescending(r => r.Status == RunStatus.Running).ThenBy(r => r.Id)
            .Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken);
    }
}

/// <summary>Queues, starts and cancels runs from any node.</summary>
public sealed class ExportRuns(NpgsqlDataSource dataSource, ISchedulerFactory schedulers, TimeProvider clock)
{
    /// <summary>Queues a run; when one is already queued or running, says so and returns its id.</summary>
    public async Task<(long RunId, bool AlreadyActive)> QueueAsync(long exportId, string trigger, string requestedBy, bool dryRun, bool fullResync, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries)
            VALUES ($1, 'Queued', $2, $3, $4, $5, $6, false, 'Upsert', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            ON CONFLICT (export_id) WHERE status IN ('Queued', 'Running') DO NOTHING
            RETURNING id
            """);
        foreach (var value in new object[] { exportId, trigger, dryRun, fullResync, requestedBy, clock.GetUtcNow() })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        if (await command.ExecuteScalarAsync(cancellationToken) is long created)
        {
            return (created, false);
        }

        await using var active = dataSource.CreateCommand("SELECT id FROM export_runs WHERE export_id = $1 AND status IN ('Queued', 'Running')");
        active.Parameters.Add(new NpgsqlParameter { Value = exportId });
        return ((long)(await active.ExecuteScalarAsync(cancellationToken))!, true);
    }

    /// <summary>Queues a run and fires the export's job now; the run starts within seconds on some node.</summary>
    public async Task<(long RunId, bool AlreadyActive)> RunNowAsync(long exportId, string requestedBy, bool dryRun, bool fullResync, CancellationToken cancellationToken)
    {
        var queued = await QueueAsync(exportId, "manual", requestedBy, dryRun, fullResync, cancellationToken);
        if (!queued.AlreadyActive)
        {
            await FireAsync(exportId, cancellationToken);
        }

        return queued;
    }

    /// <summary>
    /// Another export on the same connection is running: the run stays queued (saying why, once) and its job fires
    /// again shortly, on whichever node is free then.
    /// </summary>
    public async Task WaitForTurnAsync(long runId, long exportId, string connectionName, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO export_run_events (run_id, at, message) SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM export_run_events WHERE run_id = $1 AND message = $3)");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = $"Waiting: another export is sending through “{connectionName}”; exports sharing a connection take turns, as the platform's limits are per account." });
        await command.ExecuteNonQueryAsync(cancellationToken);
        await FireAsync(exportId, cancellationToken, retryAfter);
    }

    public async Task FireAsync(long exportId, CancellationToken cancellationToken, TimeSpan? after = null)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var key = ExportJob.KeyFor(exportId);
        var builder = TriggerBuilder.Create().ForJob(key).WithIdentity($"now-{exportId}-{Guid.NewGuid():N}", ExportJob.Group);
        var trigger = (after is { } delay ? builder.StartAt(clock.GetUtcNow() + delay) : builder.StartNow()).Build();
        if (await scheduler.Exists(key, cancellationToken))
        {
            await scheduler.ScheduleTrigger(trigger, TriggerConflict.Keep, cancellationToken);
            return;
        }

        try
        {
            await scheduler.ScheduleJob<ExportJob>(trigger, job => job.WithIdentity(key).StoreDurably().RequestRecovery().UsingJobData(ExportJob.ExportIdKey, exportId.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another node created the job a moment ago: attach this fire to it.
            await scheduler.ScheduleTrigger(trigger, TriggerConflict.Keep, cancellationToken);
        }
    }

    /// <summary>Asks the run to stop between batches, on whatever node runs it; a queued run is cancelled at once.</summary>
    public async Task<bool> CancelAsync(long runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE export_runs SET cancel_requested = true,
                status = CASE WHEN status = 'Queued' THEN 'Cancelled' ELSE status END,
                finished_at = CASE WHEN status = 'Queued' THEN $2 ELSE finished_at END
            WHERE id = $1 AND status IN ('Queued', 'Running')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task FailAsync(long runId, string sentence, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE export_runs SET status = 'Failed', finished_at = $2, error = $3 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = sentence });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>
/// One export at a time per connection across the cluster: a PostgreSQL session-level advisory lock on the connection
/// id, held for the run on a connection of its own. A node that dies loses its session, and with it the lock.
/// </summary>
public sealed class ConnectionTurn : IAsyncDisposable
{
    /// <summary>How soon a run that found its connection busy tries again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(3);

    // The two-key form keeps these apart from the app's other (single bigint) advisory locks.
    private const int Namespace = 0x53454354; // "SECT"
    private readonly NpgsqlConnection _session;
    private readonly long _connectionId;

    private ConnectionTurn(NpgsqlConnection session, long connectionId)
    {
        _session = session;
        _connectionId = connectionId;
    }

    public static async Task<ConnectionTurn?> TryTakeAsync(NpgsqlDataSource dataSource, long connectionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var session = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", session);
            command.Parameters.Add(new NpgsqlParameter { Value = Namespace });
            command.Parameters.Add(new NpgsqlParameter { Value = (int)connectionId });
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return new ConnectionTurn(session, connectionId);
            }
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }

        await session.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", _session);
            command.Parameters.Add(new NpgsqlParameter { Value = Namespace });
            command.Parameters.Add(new NpgsqlParameter { Value = (int)_connectionId });
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The session is gone (the database restarted): so is the lock.
        }

        await _session.DisposeAsync();
    }
}
