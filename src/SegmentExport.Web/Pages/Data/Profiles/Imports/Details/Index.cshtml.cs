using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Pages.Data.Profiles.ImportHistory.Details;

/// <summary>One import's report: counts, status, and its rejected rows (keyset-paged by line).</summary>
public sealed class IndexModel(AppDbContext db) : PageModel
{
    private const int PageSize = 100;

    public ProfileImport Import { get; private set; } = new();
    public IReadOnlyList<ImportRejection> Rejections { get; private set; } = [];
    public long? NextAfterRow { get; private set; }

    public bool InProgress => Import.Status is ImportStatus.Queued or ImportStatus.Running;

    public async Task<IActionResult> OnGetAsync(long id, long? afterRow, CancellationToken cancellationToken)
    {
        var import = await db.ProfileImports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (import is null)
        {
            return NotFound();
        }

        Import = import;
        var start = afterRow ?? 0;
        var rows = await db.ImportRejections.AsNoTracking()
            .Where(r => r.ImportId == id && r.RowNumber > start)
            .OrderBy(r => r.RowNumber).Take(PageSize + 1).ToListAsync(cancellationToken);
        NextAfterRow = rows.Count > PageSize ? rows[PageSize - 1].RowNumber : null;
        Rejections = rows.Take(PageSize).ToList();
        return Page();
    }

    /// <summary>For the progress poller while the import runs.</summary>
    public async Task<IActionResult> OnGetStatusAsync(long id, CancellationToken cancellationToken)
    {
        var status = await db.ProfileImports.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new { status = i.Status.ToString(), rowsRead = i.RowsRead })
            .SingleOrDefaultAsync(cancellationToken);
        return status is null ? NotFound() : new JsonResult(status);
    }
}
