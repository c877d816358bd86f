using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages.Data.Exports;

/// <summary>One run: counts, live progress, timeline, and the rows it could not deliver (paged, filtered, as CSV).</summary>
public sealed class RunModel(AppDbContext db, ExportControl control, TimeProvider clock) : PageModel
{
    private const int PageSize = 50;
    private const int TimelineSize = 200;

    public ExportRun Run { get; private set; } = null!;
    public string ExportName { get; private set; } = "";
    public ExportRunProgress Progress { get; private set; } = null!;
    public IReadOnlyList<ExportRunEvent> Events { get; private set; } = [];
    public int EventCount { get; private set; }
    public IReadOnlyList<ExportRunRow> Rows { get; private set; } = [];
    public IReadOnlyList<(string Code, int Count)> Codes { get; private set; } = [];
    public long? NextAfter { get; private set; }
    public bool IsFirstPage { get; private set; }
    public bool CanChange { get; private set; }

    /// <summary>all, skipped or rejected.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    /// <summary>The platform's code (reason kind), or empty for all.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, long? after, [FromServices] IAuthorizationService authorization, CancellationToken cancellationToken)
    {
        if (await LoadRunAsync(id, cancellationToken) is null)
        {
            return NotFound();
        }

        CanChange = (await authorization.AuthorizeAsync(User, Policies.Contribute)).Succeeded;
        EventCount = await db.ExportRunEvents.CountAsync(x => x.RunId == id, cancellationToken);
        Events = (await db.ExportRunEvents.AsNoTracking().Where(x => x.RunId == id).OrderByDescending(x => x.Id).Take(TimelineSize).ToListAsync(cancellationToken))
            .AsEnumerable().Reverse().ToList();
        Codes = (await db.ExportRunRows.AsNoTracking().Where(r => r.RunId == id).GroupBy(r => r.Code ?? "")
            .Select(g => new { g.Key, Count = g.Count() }).OrderByDescending(g => g.Count).ToListAsync(cancellationToken))
            .Select(g => (g.Key, g.Count)).ToList();
        IsFirstPage = after is null;
        var query = Filtered(id);
        if (after is long last)
        {
            query = query.Where(r => r.Id > last);
        }

        var page = await query.OrderBy(r => r.Id).Take(PageSize + 1).ToListAsync(cancellationToken);
        Rows = page.Take(PageSize).ToList();
        NextAfter = page.Count > PageSize ? page[PageSize - 1].Id : null;
        return Page();
    }

    /// <summary>What the progress bar polls while the run is queued or running.</summary>
    public async Task<IActionResult> OnGetProgressAsync(long id, CancellationToken cancellationToken)
    {
        if (await LoadRunAsync(id, cancellationToken) is not { } run)
        {
            return NotFound();
        }

        var p = Progress;
        return new JsonResult(new
        {
            status = p.Status.ToString(),
            active = p.Active,
            members = p.Members,
            processed = p.Processed,
            percent = p.Percent,
            rowsPerSecond = Math.Round(p.RowsPerSecond, 1),
            etaSeconds = p.Remaining is { } left ? (long?)Math.Ceiling(left.TotalSeconds) : null,
            eta = p.Remaining is { } r ? ExportRunProgress.Duration(r) : null,
            sent = run.Sent,
            unchanged = run.Unchanged,
            skipped = run.Skipped,
            rejected = run.Rejected,
        });
    }

    /// <summary>Every row matching the filter, as CSV, streamed in id order.</summary>
    public async Task<IActionResult> OnGetCsvAsync(long id, CancellationToken cancellationToken)
    {
        if (await LoadRunAsync(id, cancellationToken) is null)
        {
            return NotFound();
        }

        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"run-{id}-rows.csv\"";
        await using var writer = new StreamWriter(Response.Body, new System.Text.UTF8Encoding(false));
        await writer.WriteLineAsync("email,outcome,code,reason");
        long last = 0;
        while (true)
        {
            var batch = await Filtered(id).Where(r => r.Id > last).OrderBy(r => r.Id).Take(1000).ToListAsync(cancellationToken);
            foreach (var row in batch)
            {
                await writer.WriteLineAsync($"{Csv(row.Email)},{(row.Rejected ? "rejected" : "skipped")},{Csv(row.Code ?? "")},{Csv(row.Reason)}");
            }

            if (batch.Count < 1000)
            {
                break;
            }

            last = batch[^1].Id;
        }

        await writer.FlushAsync(cancellationToken);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken cancellationToken)
    {
        var answer = await control.CancelAsync(id, User, cancellationToken);
        TempData[answer.Done ? "Flash" : "FlashError"] = answer.Sentence;
        return RedirectToPage(new { id });
    }

    private IQueryable<ExportRunRow> Filtered(long id)
    {
        var query = db.ExportRunRows.AsNoTracking().Where(r => r.RunId == id);
        query = Kind switch
        {
            "skipped" => query.Where(r => !r.Rejected),
            "rejected" => query.Where(r => r.Rejected),
            _ => query,
        };
        return string.IsNullOrEmpty(Code) ? query : query.Where(r => r.Code == Code);
    }

    private async Task<ExportRun?> LoadRunAsync(long id, CancellationToken cancellationToken)
    {
        var run = await db.ExportRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (run is not null)
        {
            Run = run;
            ExportName = await db.Exports.Where(e => e.Id == run.ExportId).Select(e => e.Name).SingleAsync(cancellationToken);
            Progress = ExportRunProgress.Of(run, clock.GetUtcNow());
        }

        return run;
    }

    /// <summary>Quotes a CSV cell; a leading formula character is neutralised so spreadsheets do not run it.</summary>
    private static string Csv(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
