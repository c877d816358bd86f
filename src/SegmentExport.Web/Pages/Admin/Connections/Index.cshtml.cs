using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Pages.Admin.Connections;

public sealed class IndexModel(AppDbContext db) : PageModel
{
    public IReadOnlyList<Row> Live { get; private set; } = [];

    public IReadOnlyList<Row> Removed { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        // Connections are few (one per platform account), so no paging; the removed ones stay listed for the record.
        var rows = await db.Connections.AsNoTracking()
            .OrderBy(c => c.Name)
            .Select(c => new Row(c.Id, c.Name, c.Platform, c.AccountName, c.SharedWithContributors, c.Health, c.LastCheckedAt, c.RemovedAt, c.Sandbox))
            .ToListAsync(cancellationToken);
        Live = rows.Where(r => r.RemovedAt is null).ToList();
        Removed = rows.Where(r => r.RemovedAt is not null).ToList();
    }

    public sealed record Row(long Id, string Name, string Platform, string? AccountName, bool Shared, CredentialHealth Health, DateTimeOffset? LastCheckedAt, DateTimeOffset? RemovedAt, bool Sandbox);
}
