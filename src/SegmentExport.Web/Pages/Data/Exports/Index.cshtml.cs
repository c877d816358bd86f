using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages.Data.Exports;

public sealed class IndexModel(ExportSummaries summaries, ExportControl control, AppDbContext db) : PageModel
{
    public IReadOnlyList<ExportSummary> Rows { get; private set; } = [];
    public string? NextAfter { get; private set; }
    public bool IsFirstPage { get; private set; }
    public bool CanChange { get; private set; }
    public bool HasSegments { get; private set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    public async Task OnGetAsync(string? after, [FromServices] IAuthorizationService authorization, CancellationToken cancellationToken)
    {
        CanChange = (await authorization.AuthorizeAsync(User, Policies.Contribute)).Succeeded;
        IsFirstPage = after is null;
        (Rows, NextAfter) = await summaries.PageAsync(Search, after, cancellationToken);
        HasSegments = Rows.Count > 0 || await db.Segments.AnyAsync(cancellationToken);
    }

    /// <summary>Contributors only, like every POST in this folder (see <see cref="ExportPagesSetup"/>).</summary>
    public async Task<IActionResult> OnPostEnableAsync(long id, bool enabled, CancellationToken cancellationToken)
    {
        Flash(await control.SetEnabledAsync(id, enabled, User, cancellationToken));
        return RedirectToPage(new { q = Search });
    }

    private void Flash(ExportControl.Answer answer) => TempData[answer.Done ? "Flash" : "FlashError"] = answer.Sentence;
}
