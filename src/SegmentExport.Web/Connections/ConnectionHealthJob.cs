using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Connections;

/// <summary>
/// Daily (Connections:HealthCheckCron), once across the cluster: refreshes tokens that would expire before the next
/// run or two (Campaign Monitor's 14 days, Constant Contact's 24 hours) and checks every live connection, so a
/// connection that needs attention shows on the home page before the next export fails.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ConnectionHealthJob(AppDbContext db, ConnectionCheck check, IOptions<ConnectionsOptions> options, ILogger<ConnectionHealthJob> logger) : IJob
{
    public static readonly JobKey Key = new("connection-health", "connections");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var ids = await db.Connections.AsNoTracking().Where(c => c.RemovedAt == null).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(cancellationToken);
        var healthy = 0;
        foreach (var id in ids)
        {
            var outcome = await check.CheckAsync(id, options.Value.JobRefreshWindow, cancellationToken);
            healthy += outcome.Ok ? 1 : 0;
        }

        logger.LogInformation("Checked {Count} connections: {Healthy} healthy", ids.Count, healthy);
    }
}
