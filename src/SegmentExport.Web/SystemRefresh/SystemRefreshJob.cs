using Microsoft.EntityFrameworkCore;
using Quartz;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.SystemRefresh;

/// <summary>
/// The system refresh: every segment, then every enabled export that follows the system refresh (and
/// whose connection is still there) is queued and fired. One at a time across the cluster.
/// </summary>
[DisallowConcurrentExecution]
public sealed class SystemRefreshJob(IServiceScopeFactory scopes, ExportRuns runs, TimeProvider clock, ILogger<SystemRefreshJob> logger) : IJob
{
    public static readonly JobKey Key = new("system-refresh", "system");
    public const string RequestedByKey = "requestedBy";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var manual = context.MergedJobDataMap.ContainsKey(RequestedByKey);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var record = new SystemRefreshRecord
        {
            StartedAt = clock.GetUtcNow(),
            Trigger = manual ? "manual" : "schedule",
            RequestedBy = manual ? Convert.ToString(context.MergedJobDataMap[RequestedByKey], System.Globalization.CultureInfo.InvariantCulture) ?? "" : "scheduler",
        };
        db.Add(record);
        await db.SaveChangesAsync(cancellationToken);

        var results = await scope.ServiceProvider.GetRequiredService<SegmentRefresher>().RefreshAllAsync(cancellationToken);
        record.Segments = results.Count;
        record.SegmentErrors = results.Count(r => r.Error is not null);

        var exports = await db.Exports.AsNoTracking()
            .Where(e => e.Enabled && e.Schedule == ExportSchedule.SystemRefresh)
            .Where(e => db.Set<Connections.Connection>().Any(c => c.Id == e.ConnectionId && c.RemovedAt == null))
            .Select(e => e.Id).ToListAsync(cancellationToken);
        foreach (var exportId in exports)
        {
            var (_, alreadyActive) = await runs.RunNowAsync(exportId, "system refresh", dryRun: false, fullResync: false, cancellationToken);
            record.ExportsQueued += alreadyActive ? 0 : 1;
        }

        record.FinishedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("System refresh: {Segments} segments ({Errors} with errors), {Exports} exports queued",
            record.Segments, record.SegmentErrors, record.ExportsQueued);
    }
}
