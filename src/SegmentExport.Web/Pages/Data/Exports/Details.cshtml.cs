using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Destinations;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages.Data.Exports;

public sealed class DetailsModel(AppDbContext db, ExportSummaries summaries, ExportControl control, ExportEditor editor, IEnumerable<IDestination> destinations, TimeProvider clock) : PageModel
{
    private const int PageSize = 25;

    public ExportSummary Export { get; private set; } = null!;
    public IReadOnlyList<FieldMap> Fields { get; private set; } = [];
    public IReadOnlyList<string> Tags { get; private set; } = [];
    public bool TagWithSegmentNames { get; private set; }
    public LeaverAction Leavers { get; private set; }
    public IReadOnlyList<ExportRun> Runs { get; private set; } = [];
    public IReadOnlyList<ExportRun> ChartRuns { get; private set; } = [];
    public ExportRun? ActiveRun { get; private set; }
    public long? NextAfter { get; private set; }
    public bool IsFirstPage { get; private set; }
    public bool CanChange { get; private set; }
    public bool CanRun { get; private set; }
    public long ExpectedMembers { get; private set; }
    public string? ExpectedTime { get; private set; }
    public DateTimeOffset Now { get; private set; }
    public bool SandboxConnection { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, long? after, [FromServices] IAuthorizationService authorization, CancellationToken cancellationToken)
    {
        var export = await summaries.FindAsync(id, cancellationToken);
        if (export is null)
        {
            return NotFound();
        }

        Export = export;
        Now = clock.GetUtcNow();
        CanChange = (await authorization.AuthorizeAsync(User, Policies.Contribute)).Succeeded;
        CanRun = CanChange && !export.Detached && await editor.MayUseAsync(User, export.ConnectionId, cancellationToken);
        var stored = await db.Exports.AsNoTracking().Where(e => e.Id == id).Select(e => new { e.Mapping, e.Tags, e.TagWithSegmentNames, e.Leavers }).SingleAsync(cancellationToken);
        Fields = ExportMapping.FromJson(stored.Mapping).Fields;
        Tags = JsonSerializer.Deserialize<List<string>>(stored.Tags) ?? [];
        TagWithSegmentNames = stored.TagWithSegmentNames;
        Leavers = stored.Leavers;
        SandboxConnection = await db.Connections.AnyAsync(c => c.Id == export.ConnectionId && c.Sandbox, cancellationToken);

        IsFirstPage = after is null;
        var runs = db.ExportRuns.AsNoTracking().Where(r => r.ExportId == id);
        if (after is long before)
        {
            runs = runs.Where(r => r.Id < before);
        }

        var page = await runs.OrderByDescending(r => r.Id).Take(PageSize + 1).ToListAsync(cancellationToken);
        Runs = page.Take(PageSize).ToList();
        NextAfter = page.Count > PageSize ? page[PageSize - 1].Id : null;
        ActiveRun = await db.ExportRuns.AsNoTracking().Where(r => r.ExportId == id && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running))
            .OrderBy(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        ChartRuns = (await db.ExportRuns.AsNoTracking().Where(r => r.ExportId == id && r.FinishedAt != null && r.StartedAt != null)
            .OrderByDescending(r => r.Id).Take(20).ToListAsync(cancellationToken)).AsEnumerable().Reverse().ToList();

        var segmentIds = export.Segments.Select(s => s.Id).ToList();
        ExpectedMembers = await db.SegmentMembers.Where(m => segmentIds.Contains(m.SegmentId)).Select(m => m.ProfileId).Distinct().LongCountAsync(cancellationToken);
        if (destinations.FirstOrDefault(d => d.Description.Key == export.Platform) is { } destination)
        {
            ExpectedTime = ExportEstimate.Describe(ExportEstimate.For(ExpectedMembers, destination.Description));
        }

        return Page();
    }

    /// <summary>Run now, dry run or full resync (<paramref name="mode"/>: run, dry, full). Contributors only, on connections shared with them.</summary>
    public async Task<IActionResult> OnPostRunAsync(long id, string? mode, CancellationToken cancellationToken)
    {
        var answer = await control.RunNowAsync(id, User, dryRun: mode == "dry", fullResync: mode == "full", cancellationToken);
        Flash(answer);
        return answer.Done && answer.Id is long runId ? RedirectToPage("Run", new { id = runId }) : RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostDuplicateAsync(long id, CancellationToken cancellationToken)
    {
        var answer = await control.DuplicateAsync(id, User, cancellationToken);
        Flash(answer);
        return RedirectToPage(new { id = answer.Id ?? id });
    }

    public async Task<IActionResult> OnPostEnableAsync(long id, bool enabled, CancellationToken cancellationToken)
    {
        Flash(await control.SetEnabledAsync(id, enabled, User, cancellationToken));
        return RedirectToPage(new { id });
    }

    private void Flash(ExportControl.Answer answer) => TempData[answer.Done ? "Flash" : "FlashError"] = answer.Sentence;
}
