using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Exports;

namespace SegmentExport.Web.Pages.Data.Exports;

/// <summary>Asks before deleting; contributors only (see <see cref="ExportPagesSetup"/>).</summary>
public sealed class DeleteModel(ExportSummaries summaries, ExportControl control) : PageModel
{
    public ExportSummary Export { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (await summaries.FindAsync(id, cancellationToken) is not { } export)
        {
            return NotFound();
        }

        Export = export;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        var answer = await control.DeleteAsync(id, User, cancellationToken);
        TempData[answer.Done ? "Flash" : "FlashError"] = answer.Sentence;
        return answer.Done ? RedirectToPage("Index") : RedirectToPage("Details", new { id });
    }
}
