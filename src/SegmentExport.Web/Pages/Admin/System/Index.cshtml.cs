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

    /// <summary>What the form shows: the values just posted (after an error), else the schedule in force.</summary>
    public ScheduleInput Form { get; private set; } = new();

    /// <summary>Field name (Mode, Day, Time, Cron, TimeZone) to the sentence shown under that field.</summary>
    public Dictionary<string, string> FieldErrors { get; } = new(StringComparer.Ordinal);

    public async Task<IActionResult> OnPostScheduleAsync(ScheduleInput schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var (cron, error) = SystemRefreshSchedule.CronFor(schedule.Mode, schedule.Time, schedule.Day, schedule.Cron);
        if (error is not null)
        {
            var field = schedule.Mode switch
            {
                "cron" => nameof(ScheduleInput.Cron),
                "weekly" when error.Contains("day", StringComparison.OrdinalIgnoreCase) && !error.Contains("HH:mm", StringComparison.Ordinal) => nameof(ScheduleInput.Day),
                "daily" or "weekly" => nameof(ScheduleInput.Time),
                _ => nameof(ScheduleInput.Mode),
            };
            FieldErrors[field] = error;
        }

        TimeZoneInfo? zone = null;
        if (string.IsNullOrWhiteSpace(schedule.TimeZone))
        {
            FieldErrors[nameof(ScheduleInput.TimeZone)] = "Choose a time zone, such as UTC or Europe/Oslo.";
        }
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(schedule.TimeZone.Trim(), out zone))
        {
            FieldErrors[nameof(ScheduleInput.TimeZone)] = $"'{schedule.TimeZone}' is not a time zone this server knows; use an IANA name such as Europe/Oslo.";
        }

        if (FieldErrors.Count > 0 || zone is null)
        {
            foreach (var (field, sentence) in FieldErrors)
            {
                ModelState.AddModelError("schedule." + field, sentence);
            }

            await OnGetAsync(null, cancellationToken);
            Form = schedule;
            return Page();
        }

        await refresh.SetAsync(cron, zone, cancellationToken);
        audit.Record(User, "system.refresh_scheduled", "System", "refresh", cron is null ? "System refresh turned off." : $"System refresh set to '{cron}' ({zone.Id}).");
        await db.SaveChangesAsync(cancellationToken);
        TempData["Flash"] = cron is null ? "The system refresh is off." : "The system refresh schedule is saved.";
        return RedirectToPage();
    }

    /// <summary>The schedule in force as the form's choices: daily or weekly at a time when it is one, else its cron.</summary>
    public static ScheduleInput FormFor((string Cron, string TimeZone, DateTimeOffset? Next)? schedule)
    {
        if (schedule is not { } s)
        {
            return new ScheduleInput();
        }

        var daily = System.Text.RegularExpressions.Regex.Match(s.Cron, @"^0 (\d{1,2}) (\d{1,2}) \* \* \?$");
        if (daily.Success)
        {
            return new ScheduleInput { Mode = "daily", Time = $"{int.Parse(daily.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture):00}:{int.Parse(daily.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture):00}", TimeZone = s.TimeZone };
        }

        var weekly = System.Text.RegularExpressions.Regex.Match(s.Cron, @"^0 (\d{1,2}) (\d{1,2}) \? \* ([A-Z]{3})$");
        if (weekly.Success)
        {
            return new ScheduleInput { Mode = "weekly", Day = weekly.Groups[3].Value, Time = $"{int.Parse(weekly.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture):00}:{int.Parse(weekly.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture):00}", TimeZone = s.TimeZone };
        }

        return new ScheduleInput { Mode = "cron", Cron = s.Cron, TimeZone = s.TimeZone };
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
        Form = FormFor(Schedule);
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
