using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Exports;

/// <summary>What people do to a saved export from the pages: run, duplicate, enable or disable, delete. Each says what happened in a sentence.</summary>
public sealed class ExportControl(AppDbContext db, ExportRuns runs, ExportEditor editor, ExportSummaries summaries, ExportSchedules schedules, AuditLog audit, TimeProvider clock)
{
    public sealed record Answer(bool Done, string Sentence, long? Id = null);

    public async Task<Answer> RunNowAsync(long exportId, ClaimsPrincipal user, bool dryRun, bool fullResync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var export = await summaries.FindAsync(exportId, cancellationToken);
        if (export is null)
        {
            return new Answer(false, "This export no longer exists.");
        }

        if (export.DetachedReason is string detached)
        {
            return new Answer(false, detached);
        }

        if (!await editor.MayUseAsync(user, export.ConnectionId, cancellationToken))
        {
            return new Answer(false, $"The connection “{export.ConnectionName}” is not shared with you, so you cannot run this export. Ask an administrator.");
        }

        var kind = dryRun ? "dry run" : fullResync ? "full resync" : "run";
        var (runId, alreadyActive) = await runs.RunNowAsync(exportId, user.Identity?.Name ?? "", dryRun, fullResync, cancellationToken);
        if (alreadyActive)
        {
            return new Answer(false, $"A run of “{export.Name}” is already going (run #{runId}); wait for it to finish or cancel it.", runId);
        }

        audit.Record(user, "export.run", "Export", exportId, $"Export #{exportId} “{export.Name}”: {kind} #{runId} started by hand.");
        await db.SaveChangesAsync(cancellationToken);
        return new Answer(true, $"Started a {kind} of “{export.Name}”; it begins within seconds.", runId);
    }

    public async Task<Answer> CancelAsync(long runId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var exportId = await db.ExportRuns.Where(r => r.Id == runId).Select(r => (long?)r.ExportId).SingleOrDefaultAsync(cancellationToken);
        if (exportId is null || !await runs.CancelAsync(runId, cancellationToken))
        {
            return new Answer(false, "This run has already finished.");
        }

        audit.Record(user, "export.run_cancelled", "ExportRun", runId, $"Run #{runId} of export #{exportId} cancelled by hand.");
        await db.SaveChangesAsync(cancellationToken);
        return new Answer(true, "Cancelling: the run stops after the batch it is sending.");
    }

    public async Task<Answer> DuplicateAsync(long exportId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var source = await db.Exports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == exportId, cancellationToken);
        if (source is null)
        {
            return new Answer(false, "This export no longer exists.");
        }

        if (!await editor.MayUseAsync(user, source.ConnectionId, cancellationToken))
        {
            return new Answer(false, "The export's connection is not shared with you, so you cannot copy it.");
        }

        var name = await FreeNameAsync(source.Name, cancellationToken);
        var now = clock.GetUtcNow();
        // A copy starts disabled and on demand, so it never sends to the same list twice by surprise.
        var copy = new Export
        {
            Name = name, ConnectionId = source.ConnectionId, ListId = source.ListId, ListName = source.ListName, Mapping = source.Mapping,
            Tags = source.Tags, TagWithSegmentNames = source.TagWithSegmentNames, Leavers = source.Leavers, Schedule = ExportSchedule.OnDemand,
            Enabled = false, CreatedAt = now, UpdatedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Exports.Add(copy);
        await db.SaveChangesAsync(cancellationToken);
        var segments = await db.ExportSegments.AsNoTracking().Where(s => s.ExportId == exportId).Select(s => s.SegmentId).ToListAsync(cancellationToken);
        db.ExportSegments.AddRange(segments.Select(s => new ExportSegment { ExportId = copy.Id, SegmentId = s }));
        audit.Record(user, "export.created", "Export", copy.Id, $"Export #{copy.Id} “{copy.Name}” created as a copy of #{exportId}.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Answer(true, $"Copied to “{name}”, disabled and on demand until you edit it.", copy.Id);
    }

    public async Task<Answer> SetEnabledAsync(long exportId, bool enabled, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var export = await db.Exports.SingleOrDefaultAsync(e => e.Id == exportId, cancellationToken);
        if (export is null)
        {
            return new Answer(false, "This export no longer exists.");
        }

        if (!await MayChangeAsync(user, export.ConnectionId, cancellationToken))
        {
            return new Answer(false, $"The connection of “{export.Name}” is not shared with you, so you cannot change this export. Ask an administrator.");
        }

        export.Enabled = enabled;
        export.UpdatedAt = clock.GetUtcNow();
        audit.Record(user, enabled ? "export.enabled" : "export.disabled", "Export", exportId, $"Export #{exportId} “{export.Name}” {(enabled ? "enabled" : "disabled")}.");
        await db.SaveChangesAsync(cancellationToken);
        await schedules.SyncAsync(export, cancellationToken);
        return new Answer(true, enabled
            ? $"Enabled “{export.Name}”: it runs on its schedule again."
            : $"Disabled “{export.Name}”: its schedule no longer runs it; Run now still can.");
    }

    public async Task<Answer> DeleteAsync(long exportId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var export = await db.Exports.SingleOrDefaultAsync(e => e.Id == exportId, cancellationToken);
        if (export is null)
        {
            return new Answer(false, "This export no longer exists.");
        }

        if (!await MayChangeAsync(user, export.ConnectionId, cancellationToken))
        {
            return new Answer(false, $"The connection of “{export.Name}” is not shared with you, so you cannot delete this export. Ask an administrator.");
        }

        if (await db.ExportRuns.AnyAsync(r => r.ExportId == exportId && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running), cancellationToken))
        {
            return new Answer(false, $"A run of “{export.Name}” is going; cancel it or let it finish, then delete.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Deliveries have no foreign key (they are bulk-written by the engine); runs, rows, events and segment links cascade.
        await db.ExportDeliveries.Where(d => d.ExportId == exportId).ExecuteDeleteAsync(cancellationToken);
        db.Exports.Remove(export);
        audit.Record(user, "export.deleted", "Export", exportId, $"Export #{exportId} “{export.Name}” deleted; contacts already on the platform stay there.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await schedules.RemoveAsync(exportId, cancellationToken);
        return new Answer(true, $"Deleted “{export.Name}”. Contacts it sent stay on the platform.");
    }

    /// <summary>A user may change an export on a connection they may use, or a detached one (its connection is gone).</summary>
    private async Task<bool> MayChangeAsync(ClaimsPrincipal user, long connectionId, CancellationToken cancellationToken) =>
        !await db.Connections.AnyAsync(c => c.Id == connectionId && c.RemovedAt == null, cancellationToken)
        || await editor.MayUseAsync(user, connectionId, cancellationToken);

    private async Task<string> FreeNameAsync(string name, CancellationToken cancellationToken)
    {
        for (var n = 1; ; n++)
        {
            var candidate = n == 1 ? $"{name} (copy)" : $"{name} (copy {n})";
            candidate = candidate.Length > 200 ? candidate[^200..] : candidate;
            if (!await db.Exports.AnyAsync(e => e.Name == candidate, cancellationToken))
            {
                return candidate;
            }
        }
    }
}
