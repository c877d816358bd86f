using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Pages.Data.Segments;

/// <summary>Asks before deleting; refuses while an export sends the segment, naming the exports.</summary>
public sealed class DeleteModel(AppDbContext db, SegmentUsage usage, AuditLog audit) : PageModel
{
    public long SegmentId { get; private set; }
    public string Name { get; private set; } = "";
    public long MemberCount { get; private set; }
    public IReadOnlyList<string> UsedBy { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (UsedBy.Count > 0)
        {
            return Page();
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Members and refresh history go with it (ON DELETE CASCADE).
            await db.Segments.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
            audit.Record(User, "segment.deleted", "Segment", id, $"Segment #{id} “{Name}” deleted ({MemberCount} members at the last refresh).");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        TempData["Flash"] = $"Deleted “{Name}”.";
        return RedirectToPage("Index");
    }

    public string RefusalMessage =>
        $"“{Name}” cannot be deleted while {(UsedBy.Count == 1 ? "an export uses" : $"{UsedBy.Count} exports use")} it: "
        + $"{string.Join(", ", UsedBy.Select(e => $"“{e}”"))}. Point {(UsedBy.Count == 1 ? "that export" : "those exports")} at another segment or delete {(UsedBy.Count == 1 ? "it" : "them")} first.";

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var segment = await db.Segments.AsNoTracking().Where(s => s.Id == id).Select(s => new { s.Name, s.MemberCount }).SingleOrDefaultAsync(cancellationToken);
        if (segment is null)
        {
            return false;
        }

        (SegmentId, Name, MemberCount) = (id, segment.Name, segment.MemberCount);
        UsedBy = (await usage.ExportsUsingAsync([id], cancellationToken)).GetValueOrDefault(id) ?? [];
        return true;
    }
}
