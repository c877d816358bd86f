using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;

namespace SegmentExport.Web.Pages;

/// <summary>The home page: what is running, what failed lately, and (for a new installation) the three steps to a first export.</summary>
public sealed class IndexModel(AppDbContext db, TimeProvider clock) : PageModel
{
    public const int RecentFailureDays = 7;

    public sealed record RunLine(string ExportName, ExportRun Run, ExportRunProgress Progress);

    public IReadOnlyList<RunLine> Running { get; private set; } = [];

    public IReadOnlyList<RunLine> RecentFailures { get; private set; } = [];

    public bool HasExports { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var since = now.AddDays(-RecentFailureDays);
        Running = await LinesAsync(db.ExportRuns.Where(r => r.Status == RunStatus.Queued || r.Status == RunStatus.Running).OrderBy(r => r.QueuedAt).Take(20), now, cancellationToken);
        RecentFailures = await LinesAsync(db.ExportRuns.Where(r => r.Status == RunStatus.Failed && r.QueuedAt >= since).OrderByDescending(r => r.QueuedAt).Take(5), now, cancellationToken);
        HasExports = Running.Count > 0 || RecentFailures.Count > 0 || await db.Exports.AnyAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<RunLine>> LinesAsync(IQueryable<ExportRun> runs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await (from r in runs.AsNoTracking()
                          join e in db.Exports.AsNoTracking() on r.ExportId equals e.Id
                          select new { Run = r, e.Name }).ToListAsync(cancellationToken);
        return rows.Select(x => new RunLine(x.Name, x.Run, ExportRunProgress.Of(x.Run, now))).ToList();
    }
}
