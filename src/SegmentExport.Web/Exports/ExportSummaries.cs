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

    public string ScheduleText => Schedule switch
    {
        ExportSchedule.SystemRefresh => "After every system refresh",
        ExportSchedule.Cron => $"Own schedule: {CronExpression} ({TimeZone ?? "UTC"})",
        _ => "On demand only",
    };
}

/// <summary>Reads exports with their connection, segments and last run, for one page of the list or one export.</summary>
public sealed class ExportSummaries(AppDbContext db)
{
    public const int PageSize = 50;

    /// <summary>One page in name order, after <paramref name="after"/>, names containing <paramref name="search"/>.</summary>
    public async Task<(IReadOnlyList<ExportSummary> Rows, string? NextAfter)> PageAsync(string? search, string? after, CancellationToken cancellationToken)
    {
        var query = db.Exports.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = "%" + Segments.RuleCompiler.EscapeLike(search.Trim()) + "%";
            query = query.Where(e => EF.Functions.ILike(e.Name, pattern));
        }

        if (after is not null)
        {
            // CA1309: this runs as SQL, where the database collation orders names for both ORDER BY and this comparison.
#pragma warning disable CA1309
            query = query.Where(e => string.Compare(e.Name, after) > 0);
#pragma warning restore CA1309
        }

        var exports = await query.OrderBy(e => e.Name).Take(PageSize + 1).ToListAsync(cancellationToken);
        var rows = await SummarizeAsync(exports.Take(PageSize).ToList(), cancellationToken);
        return (rows, exports.Count > PageSize ? exports[PageSize - 1].Name : null);
    }

    public async Task<ExportSummary?> FindAsync(long id, CancellationToken cancellationToken)
    {
        var export = await db.Exports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        return export is null ? null : (await SummarizeAsync([export], cancellationToken))[0];
    }

    private async Task<IReadOnlyList<ExportSummary>> SummarizeAsync(List<Export> exports, CancellationToken cancellationToken)
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
            return new ExportSummary(e.Id, e.Name, e.ConnectionId, c?.Name ?? "(deleted connection)", c?.Platform ?? "", e.ListId, e.ListName,
                segments[e.Id].ToList(), e.Schedule, e.CronExpression, e.TimeZone, e.Enabled, c is null || c.RemovedAt is not null,
                lastByExport.GetValueOrDefault(e.Id));
        }).ToList();
    }
}
