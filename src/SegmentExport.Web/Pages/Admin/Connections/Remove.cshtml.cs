using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Pages.Admin.Connections;

/// <summary>Asks for confirmation, naming the exports that will be detached; then destroys the credentials at once.</summary>
public sealed class RemoveModel(AppDbContext db, ConnectionEditor editor) : PageModel
{
    public string Name { get; private set; } = "";

    public string Platform { get; private set; } = "";

    public IReadOnlyList<string> Exports { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var connection = await db.Connections.AsNoTracking()
            .Where(c => c.Id == id && c.RemovedAt == null)
            .Select(c => new { c.Name, c.Platform })
            .SingleOrDefaultAsync(cancellationToken);
        if (connection is null)
        {
            return NotFound();
        }

        (Name, Platform) = (connection.Name, connection.Platform);
        Exports = await editor.ExportsUsingAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!await editor.RemoveAsync(User, id, cancellationToken))
        {
            return NotFound();
        }

        TempData["Flash"] = "Removed the connection: its stored credentials were destroyed and no more data flows to the platform through it.";
        return RedirectToPage("Index");
    }
}
