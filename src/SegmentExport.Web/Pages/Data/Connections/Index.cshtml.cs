using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Pages.Data.Connections;

/// <summary>
/// Read-only: the connections a signed-in user may see (Administrators all, others only those shared with
/// Contributors), by name, type and health. No account details, no credentials.
/// </summary>
public sealed class IndexModel(AppDbContext db) : PageModel
{
    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Rows = await ConnectionAccounts.VisibleTo(db.Connections.AsNoTracking(), User)
            .OrderBy(c => c.Platform).ThenBy(c => c.Name)
            .Select(c => new Row(c.Name, c.Platform, c.Health, c.Sandbox))
            .ToListAsync(cancellationToken);
    }

    public sealed record Row(string Name, string Platform, CredentialHealth Health, bool Sandbox);
}
