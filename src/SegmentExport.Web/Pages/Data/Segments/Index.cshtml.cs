using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Pages.Data.Segments;

public sealed class IndexModel(AppDbContext db, SegmentUsage usage, SegmentRefresher refresher, AuditLog audit) : PageModel
{
    private const int PageSize = 50;

    public sealed record Row(long Id, string Name, string Description, long MemberCount, DateTimeOffset? LastRefreshedAt, IReadOnlyList<string> Exports);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public string? NextAfter { get; private set; }
    public bool IsFirstPage { get; private set; }
    public bool HasProfiles { get; private set; }
    public bool CanChange { get; private set; }

    public async Task OnGetAsync(string? after, [FromServices] IAuthorizationService authorization, CancellationToken cancellationToken)
    {
        CanChange = (await authorization.AuthorizeAsync(User, Policies.Contribute)).Succeeded;
        IsFirstPage = after is null;
        var query = db.Segments.AsNoTracking();
        if (after is not null)
        {
            // CA1309: this runs as SQL, where the database collation orders names for both ORDER BY and this comparison.
#pragma warning disable CA1309
            query = query.Where(s => string.Compare(s.Name, after) > 0);
#pragma warning restore CA1309
        }

        var rows = await query.OrderBy(s => s.Name).Take(PageSize + 1)
            .Select(s => new { s.Id, s.Name, s.Description, s.MemberCount, s.LastRefreshedAt })
            .ToListAsync(cancellationToken);
        var exports = await usage.ExportsUsingAsync(rows.Select(r => r.Id).ToList(), cancellationToken);
        Rows = rows.Take(PageSize)
            .Select(r => new Row(r.Id, r.Name, r.Description, r.MemberCount, r.LastRefreshedAt, exports.GetValueOrDefault(r.Id) ?? []))
            .ToList();
        NextAfter = rows.Count > PageSize ? rows[PageSize - 1].Name : null;
        HasProfiles = Rows.Count > 0 || await db.Profiles.AnyAsync(cancellationToken);
    }

    /// <summary>Contributors only, like every POST in this folder (see <see cref="ChangesNeedContributor"/>).</summary>
    public async Task<IActionResult> OnPostRefreshAllAsync(CancellationToken cancellationToken)
    {
        var results = await refresher.RefreshAllAsync(cancellationToken);
        var failed = results.Where(r => !r.Succeeded).ToList();
        audit.Record(User, "segment.refreshed_all", "Segment", "all",
            $"{results.Count - failed.Count} of {results.Count} segments refreshed by hand.");
        await db.SaveChangesAsync(cancellationToken);
        TempData["Flash"] = $"Refreshed {results.Count - failed.Count} of {results.Count} segments.";
        if (failed.Count > 0)
        {
            TempData["FlashError"] = string.Join(" ", failed.Select(f => f.Error));
        }

        return RedirectToPage();
    }
}
