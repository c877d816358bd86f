using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages;

/// <summary>The home page: what is running, what failed lately, and (for a new installation) the three steps to a first export.</summary>
public sealed class IndexModel(AppDbContext db, TimeProvider clock, IAuthorizationService authorization) : PageModel
{
    public const int RecentFailureDays = 7;

    public sealed record RunLine(string ExportName, ExportRun Run, ExportRunProgress Progress);

    public IReadOnlyList<RunLine> Running { get; private set; } = [];

    public IReadOnlyList<RunLine> RecentFailures { get; private set; } = [];

    public bool HasExports { get; private set; }

    public bool IsAdmin { get; private set; }

    /// <summary>Which of the three steps are done: a connection this user may export to, profiles, segments (exports: <see cref="HasExports"/>).</summary>
    public bool HasConnections { get; private set; }

    public bool HasProfiles { get; private set; }

    public bool HasSegments { get; private set; }

    /// <summary>The one next thing this user can do towards a first export (the page's primary action), or null.</summary>
    public (int Step, string Text, string Href)? Next { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var since = now.AddDays(-RecentFailureDays);
        Running = await LinesAsync(db.ExportRuns.Where(r => r.Status == RunStatus.Queued || r.Status == RunStatus.Running).OrderBy(r => r.QueuedAt).Take(20), now, cancellationToken);
        RecentFailures = await LinesAsync(db.ExportRuns.Where(r => r.Status == RunStatus.Failed && r.QueuedAt >= since).OrderByDescending(r => r.QueuedAt).Take(5), now, cancellationToken);
        HasExports = Running.Count > 0 || RecentFailures.Count > 0 || await db.Exports.AnyAsync(cancellationToken);
        IsAdmin = (await authorization.AuthorizeAsync(User, Policies.Administer)).Succeeded;
        var contributes = (await authorization.AuthorizeAsync(User, Policies.Contribute)).Succeeded;
        HasConnections = await db.Connections.AnyAsync(c => c.RemovedAt == null && (IsAdmin || c.SharedWithContributors), cancellationToken);
        HasProfiles = await db.Profiles.AnyAsync(cancellationToken);
        HasSegments = await db.Segments.AnyAsync(cancellationToken);
        Next = (HasConnections, HasProfiles, HasSegments, HasExports) switch
        {
            (false, _, _, _) when IsAdmin => (1, "Connect a platform", "/Admin/Connections/Add"),
            (_, false, _, _) when contributes => (2, "Import profiles", "/Data/Profiles/Import"),
            (_, true, false, _) when contributes => (2, "Create a segment", "/Data/Segments/Edit"),
            (true, true, true, false) when contributes => (3, "Add your first export", "/Data/Exports/Edit"),
            _ => null,
        };
    }

    private async Task<IReadOnlyList<RunLine>> LinesAsync(IQueryable<ExportRun> runs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await (from r in runs.AsNoTracking()
                          join e in db.Exports.AsNoTracking() on r.ExportId equals e.Id
                          select new { Run = r, e.Name }).ToListAsync(cancellationToken);
        return rows.Select(x => new RunLine(x.Name, x.Run, ExportRunProgress.Of(x.Run, now))).ToList();
    }
}
