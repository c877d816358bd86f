using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Quartz;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Database;
using SegmentExport.Web.Jobs;

namespace SegmentExport.Web.Pages.Admin.SystemStatus;

public sealed class IndexModel(AppDbContext db, JobEngine engine, IConfiguration configuration) : PageModel
{
    private const int PageSize = 50;

    public string ServerVersion { get; private set; } = "";
    public string SchemaVersion { get; private set; } = "";
    public bool Embedded { get; private set; }
    public IReadOnlyList<ClusterNode> Nodes { get; private set; } = [];
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];
    public long? OlderThan { get; private set; }

    public async Task OnGetAsync(long? before, CancellationToken cancellationToken)
    {
        ServerVersion = await db.Database.SqlQueryRaw<string>("SELECT current_setting('server_version') AS \"Value\"").SingleAsync(cancellationToken);
        SchemaVersion = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "none";
        Embedded = string.IsNullOrWhiteSpace(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName));
        Nodes = await engine.NodesAsync(cancellationToken);

        var upper = before ?? long.MaxValue;
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Id < upper)
            .OrderByDescending(e => e.Id)
            .Take(PageSize + 1)
            .ToListAsync(cancellationToken);
        OlderThan = entries.Count > PageSize ? entries[PageSize - 1].Id : null;
        Entries = entries.Take(PageSize).ToList();
    }
}
