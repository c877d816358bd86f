using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Exports;

public sealed record ExportSegmentName(long Id, string Name, long MemberCount);

public sealed record LastRun(long Id, RunStatus Status, long Members, long Sent, long Skipped, long Rejected, DateTimeOffset QueuedAt, DateTimeOffset? FinishedAt);

/// <summary>An export as the list and the detail page show it.</summary>
public sealed record ExportSummary(
    long Id,
    string Name,
    long ConnectionId,
    string ConnectionName,
    string Platform,
    string ListId,
    string ListName,
    IReadOnlyList<ExportSegmentName> Segments,
    ExportSchedule Schedule,
    string? CronExpression,
    string? TimeZone,
    bool Enabled,
    bool Detached,
    LastRun? LastRun)
{
    public string PlatformName => Platforms.DisplayName(Platform);

    /// <summary>Why this export cannot run, or null when it can.</summary>
    public string? DetachedReason => Detached
        ? $"Detached: the connection “{ConnectionName}” was removed. Edit the export and choose another connection before it can run."
        : null;

    /// <summary>When it runs next by its schedule (own cron, or the system refresh); null when on demand, disabled or detached.</summary>
    public DateTimeOffset? NextRun { get; init; }

    public string ScheduleText => Schedule switch
    {
        ExportSchedule.SystemRefresh => "After every system refresh",
        ExportSchedule.Cron => $"Own schedule: {CronExpression} ({TimeZone ?? "UTC"})",
        _ => "On demand only",
    };
}

/// <summary>How the export list is ordered.</summary>
public enum ExportSort
{
    Name,
    Platform,
    LastRun,
    NextRun,
}

/// <summary>Reads exports with their connection, segments, last and next run, for one page of the list or one export.</summary>
public sealed class ExportSummaries(AppDbContext db, SystemRefresh.SystemRefreshSchedule systemRefresh, TimeProvider clock)
{
    public const int PageSize = 50;

    /// <summary>
    /// One page of the exports whose names contain <paramref name="search"/>, in the order asked. Exports number in the
    /// hundreds, not millions, so the order keys (which need the schedules) are computed for all matches, then one
    /// page is read in full.
    /// </summary>
    public async Task<(IReadOnlyList<ExportSummary> Rows, int Total)> PageAsync(string? search, ExportSort sort, bool descending, int page, CancellationToken cancellationToken)
    {
        var query = db.Exports.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = "%" + Segments.RuleCompiler.EscapeLike(search.Trim()) + "%";
            query = query.Where(e => EF.Functions.ILike(e.Name, pattern));
        }

        var keys = await (from e in query
                          join c in db.Connections.AsNoTracking() on e.ConnectionId equals c.Id into cs
                          from c in cs.DefaultIfEmpty()
                          select new
                          {
                              e.Id,
                              e.Name,
                              Platform = c == null ? "" : c.Platform,
                              LastRun = db.ExportRuns.Where(r => r.ExportId == e.Id).Max(r => (DateTimeOffset?)r.QueuedAt),
                              Export = e,
                              Detached = c == null || c.RemovedAt != null,
                          }).ToListAsync(cancellationToken);
        var systemNext = await SystemNextAsync(cancellationToken);
        var next = keys.ToDictionary(k => k.Id, k => NextRunOf(k.Export, k.Detached, systemNext));

        // Names break ties; exports that never ran or will not run sort last either way.
        var ordered = sort switch
        {
            ExportSort.Platform => Order(keys, k => Platforms.DisplayName(k.Platform), descending),
            ExportSort.LastRun => OrderNullsLast(keys, k => k.LastRun, descending),
            ExportSort.NextRun => OrderNullsLast(keys, k => next[k.Id], descending),
            _ => Order(keys, k => k.Name, descending),
        };
        var pageKeys = ordered.Skip(Math.Max(0, page - 1) * PageSize).Take(PageSize).ToList();
        var rows = await SummarizeAsync(pageKeys.Select(k => k.Export).ToList(), systemNext, cancellationToken);
        return (rows, keys.Count);

        static IEnumerable<T> Order<T>(IEnumerable<T> items, Func<T, string> key, bool descending) =>
            (descending ? items.OrderByDescending(key, StringComparer.CurrentCultureIgnoreCase) : items.OrderBy(key, StringComparer.CurrentCultureIgnoreCase));

        IEnumerable<T> OrderNullsLast<T>(IEnumerable<T> items, Func<T, DateTimeOffset?> key, bool descending) where T : class =>
            (descending ? items.OrderBy(i => key(i) is null).ThenByDescending(key) : items.OrderBy(i => key(i) is null).ThenBy(key));
    }

    public async Task<ExportSummary?> FindAsync(long id, CancellationToken cancellationToken)
    {
        var export = await db.Exports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        return export is null ? null : (await SummarizeAsync([export], await SystemNextAsync(cancellationToken), cancellationToken))[0];
    }

    private async Task<DateTimeOffset?> SystemNextAsync(CancellationToken cancellationToken) =>
        (await systemRefresh.GetAsync(cancellationToken))?.Next;

    /// <summary>The next time the export's schedule starts it: its own cron in its zone, or the next system refresh.</summary>
    private DateTimeOffset? NextRunOf(Export export, bool detached, DateTimeOffset? systemNext)
    {
        if (!export.Enabled || detached)
        {
            return null;
        }

        if (export.Schedule == ExportSchedule.SystemRefresh)
        {
            return systemNext;
        }

        if (export.Schedule != ExportSchedule.Cron || string.IsNullOrEmpty(export.CronExpression))
        {
            return null;
        }

        Quartz.CronExpression cron;
        try
        {
            cron = new Quartz.CronExpression(export.CronExpression,
                TimeZoneInfo.TryFindSystemTimeZoneById(export.TimeZone ?? "UTC", out var zone) ? zone : TimeZoneInfo.Utc);
        }
        catch (FormatException)
        {
            // Saved outside the form with a broken expression: the start-up check logs it; the list shows no next run.
            return null;
        }

        return cron.GetNextValidTimeAfter(clock.GetUtcNow());
    }

    private async Task<IReadOnlyList<ExportSummary>> SummarizeAsync(List<Export> exports, DateTimeOffset? systemNext, CancellationToken cancellationToken)
    {
        var ids = exports.Select(e => e.Id).ToList();
        var connectionIds = exports.Select(e => e.ConnectionId).Distinct().ToList();
        var connections = await db.Connections.AsNoTracking().Where(c => connectionIds.Contains(c.Id))
            .Select(c => new { c.Id, c.Name, c.Platform, c.RemovedAt }).ToDictionaryAsync(c => c.Id, cancellationToken);
        var segments = (await (from link in db.ExportSegments.AsNoTracking()
                               join s in db.Segments.AsNoTracking() on link.SegmentId equals s.Id
                               where ids.Contains(link.ExportId)
                               orderby s.Name
                               select new { link.ExportId, s.Id, s.Name, s.MemberCount }).ToListAsync(cancellationToken))
            .ToLookup(s => s.ExportId, s => new ExportSegmentName(s.Id, s.Name, s.MemberCount));
        var lastByExport = (await db.ExportRuns.AsNoTracking()
            .Where(r => ids.Contains(r.ExportId) && r.Id == db.ExportRuns.Where(x => x.ExportId == r.ExportId).Max(x => x.Id))
            .Select(r => new { r.ExportId, r.Id, r.Status, r.Members, r.Sent, r.Skipped, r.Rejected, r.QueuedAt, r.FinishedAt })
            .ToListAsync(cancellationToken))
            .ToDictionary(r => r.ExportId, r => new LastRun(r.Id, r.Status, r.Members, r.Sent, r.Skipped, r.Rejected, r.QueuedAt, r.FinishedAt));

        return exports.Select(e =>
        {
            var c = connections.GetValueOrDefault(e.ConnectionId);
            var detached = c is null || c.RemovedAt is not null;
            return new ExportSummary(e.Id, e.Name, e.ConnectionId, c?.Name ?? "(deleted connection)", c?.Platform ?? "", e.ListId, e.ListName,
                segments[e.Id].ToList(), e.Schedule, e.CronExpression, e.TimeZone, e.Enabled, detached,
                lastByExport.GetValueOrDefault(e.Id))
            { NextRun = NextRunOf(e, detached, systemNext) };
        }).ToList();
    }
}
