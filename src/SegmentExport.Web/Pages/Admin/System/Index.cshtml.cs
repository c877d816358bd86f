using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Quartz;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Database;
using SegmentExport.Web.Jobs;
using SegmentExport.Web.SystemRefresh;

namespace SegmentExport.Web.Pages.Admin.SystemStatus;

public sealed class IndexModel(AppDbContext db, JobEngine engine, IConfiguration configuration, SystemRefreshSchedule refresh, AuditLog audit) : PageModel
{
    private const int PageSize = 50;

    public string ServerVersion { get; private set; } = "";
    public string SchemaVersion { get; private set; } = "";
    public bool Embedded { get; private set; }
    public IReadOnlyList<ClusterNode> Nodes { get; private set; } = [];
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];
    public long? OlderThan { get; private set; }
    public (string Cron, string TimeZone, DateTimeOffset? Next)? Schedule { get; private set; }
    public IReadOnlyList<SystemRefreshRecord> Refreshes { get; private set; } = [];

    /// <summary>The schedule form: off, daily or weekly at a time, or a cron expression; in a time zone.</summary>
    public sealed class ScheduleInput
    {
        public string Mode { get; set; } = "off";
        public string? Time { get; set; }
        public string? Day { get; set; }
        public string? Cron { get; set; }
        public string TimeZone { get; set; } = "UTC";
    }

    public async Task<IActionResult> OnPostScheduleAsync(ScheduleInput schedule, CancellationToken cancellationToken)
    {
        var (cron, error) = SystemRefreshSchedule.CronFor(schedule.Mode, schedule.Time, schedule.Day, schedule.Cron);
        TimeZoneInfo? zone = null;
        if (string.IsNullOrWhiteSpace(schedule.TimeZone))
        {
            error ??= "Choose a time zone, such as UTC or Europe/Oslo.";
        }
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(schedule.TimeZone.Trim(), out zone))
        {
            error ??= $"'{schedule.TimeZone}' is not a time zone this server knows; use an IANA name such as Europe/Oslo.";
        }

        if (error is not null || zone is null)
        {
            ModelState.AddModelError("schedule", error ?? "Choose a time zone.");
            await OnGetAsync(null, cancellationToken);
            return Page();
        }

        await refresh.SetAsync(cron, zone, cancellationToken);
        audit.Record(User, "system.refresh_scheduled", "System", "refresh", cron is null ? "System refresh turned off." : $"System refresh set to '{cron}' ({zone.Id}).");
        await db.SaveChangesAsync(cancellationToken);
        TempData["Flash"] = cron is null ? "The system refresh is off." : "The system refresh schedule is saved.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRefreshNowAsync(CancellationToken cancellationToken)
    {
        await refresh.RunNowAsync(User.Identity?.Name ?? "", cancellationToken);
        audit.Record(User, "system.refresh_started", "System", "refresh", "System refresh started by hand.");
        await db.SaveChangesAsync(cancellationToken);
        TempData["Flash"] = "The system refresh has started: segments first, then the exports that follow it.";
        return RedirectToPage();
    }

    public async Task OnGetAsync(long? before, CancellationToken cancellationToken)
    {
        ServerVersion = await db.Database.SqlQueryRaw<string>("SELECT current_setting('server_version') AS \"Value\"").SingleAsync(cancellationToken);
        SchemaVersion = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "none";
        Embedded = string.IsNullOrWhiteSpace(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName));
        Nodes = await engine.NodesAsync(cancellationToken);
        Schedule = await refresh.GetAsync(cancellationToken);
        Refreshes = await db.Set<SystemRefreshRecord>().AsNoTracking().OrderByDescending(r => r.Id).Take(10).ToListAsync(cancellationToken);

        var upper = before ?? long.MaxValue;
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Id < upper)
            .OrderByDescending(e => e.Id)
            .Take(PageSize + 1)
            .ToListAsync(cancellationToken);
        OlderThan = entries.Count > PageSize ? entries[PageSize - 1].Id : null;
        Entries = entries.Take(PageSize).ToList();
    }
}
