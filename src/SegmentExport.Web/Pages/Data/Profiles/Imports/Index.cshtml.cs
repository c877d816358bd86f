using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Pages.Data.Profiles.ImportHistory;

public sealed class IndexModel(AppDbContext db) : PageModel
{
    private const int PageSize = 50;

    public IReadOnlyList<ProfileImport> Rows { get; private set; } = [];
    public long? OlderThan { get; private set; }

    public async Task OnGetAsync(long? before, CancellationToken cancellationToken)
    {
        var upper = before ?? long.MaxValue;
        var rows = await db.ProfileImports.AsNoTracking().Where(i => i.Id < upper).OrderByDescending(i => i.Id)
            .Take(PageSize + 1).ToListAsync(cancellationToken);
        OlderThan = rows.Count > PageSize ? rows[PageSize - 1].Id : null;
        Rows = rows.Take(PageSize).ToList();
    }
}
