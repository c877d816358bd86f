using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Segments;

/// <summary>Which exports send which segments: shown on the list, and what stops a delete.</summary>
public sealed class SegmentUsage(AppDbContext db)
{
    /// <summary>Export names by segment id; segments no export uses are absent.</summary>
    public async Task<IReadOnlyDictionary<long, IReadOnlyList<string>>> ExportsUsingAsync(IReadOnlyCollection<long> segmentIds, CancellationToken cancellationToken)
    {
        var ids = segmentIds.ToList();
        var uses = await db.ExportSegments.AsNoTracking()
            .Where(l => ids.Contains(l.SegmentId))
            .Join(db.Exports, l => l.ExportId, e => e.Id, (l, e) => new { l.SegmentId, e.Name })
            .ToListAsync(cancellationToken);
        return uses.GroupBy(u => u.SegmentId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(u => u.Name).Order(StringComparer.Ordinal).ToList());
    }
}
