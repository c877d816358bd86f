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
    public const int RowsPerPage = 50;
    private const int PageSize = RowsPerPage;
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
        Codes = await CodesAsync(id, cancellationToken);
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

    /// <summary>
    /// What the run page polls while the run is queued or running, to bring everything it shows up to date without a reload:
    /// status, bar, every count, the timeline's new events, and (on the first page of rows) the new skipped and rejected rows.
    /// </summary>
    /// <param name="afterEvent">The last timeline event the page shows.</param>
    /// <param name="afterRow">The last row the page shows (0 for none).</param>
    /// <param name="room">How many more rows fit on the page's first page; negative when the page does not add rows.</param>
    /// <param name="codesFor">The skipped plus rejected count the page's reason filter was last built for.</param>
    public async Task<IActionResult> OnGetProgressAsync(long id, long afterEvent, long afterRow, int room, long codesFor, CancellationToken cancellationToken)
    {
        if (await LoadRunAsync(id, cancellationToken) is not { } run)
        {
            return NotFound();
        }

        var p = Progress;
        var (css, text) = RunView.Badge(run.Status);
        var events = await db.ExportRunEvents.AsNoTracking().Where(x => x.RunId == id && x.Id > afterEvent).OrderBy(x => x.Id).Take(TimelineSize)
            .Select(x => new { x.Id, x.At, x.Message }).ToListAsync(cancellationToken);
        var rows = room < 0 ? [] : await Filtered(id).Where(r => r.Id > afterRow).OrderBy(r => r.Id).Take(Math.Min(room, PageSize) + 1).ToListAsync(cancellationToken);
        var undelivered = run.Skipped + run.Rejected;
        var codes = undelivered == codesFor ? null : await CodesAsync(id, cancellationToken);
        return new JsonResult(new
        {
            status = p.Status.ToString(),
            statusText = text,
            statusCss = css,
            active = p.Active,
            members = p.Members,
            processed = p.Processed,
            percent = p.Percent,
            rowsPerSecond = Math.Round(p.RowsPerSecond, 1),
            etaSeconds = p.Remaining is { } left ? (long?)Math.Ceiling(left.TotalSeconds) : null,
            eta = p.Remaining is { } r ? ExportRunProgress.Duration(r) : null,
            text = p.Describe(),
            error = run.Error,
            node = run.Node,
            counts = RunView.Counts(run).ToDictionary(c => c.Key, c => c.Value.ToString("N0", System.Globalization.CultureInfo.CurrentCulture)),
            events = events.Select(e => new { id = e.Id, at = e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), message = e.Message }),
            rows = rows.Take(Math.Max(room, 0)).Select(x => new { id = x.Id, email = x.Email, outcome = x.Rejected ? "Rejected" : "Skipped", code = x.Code ?? "", reason = x.Reason }),
            moreRows = rows.Count > Math.Max(room, 0),
            undelivered,
            codes = codes?.Select(c => new { code = c.Code, count = c.Count.ToString("N0", System.Globalization.CultureInfo.CurrentCulture) }),
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

    /// <summary>The platform's codes among the run's rows, most frequent first, for the reason filter.</summary>
    private async Task<List<(string Code, int Count)>> CodesAsync(long id, CancellationToken cancellationToken) =>
        (await db.ExportRunRows.AsNoTracking().Where(r => r.RunId == id).GroupBy(r => r.Code ?? "")
            .Select(g => new { g.Key, Count = g.Count() }).OrderByDescending(g => g.Count).ThenBy(g => g.Key).ToListAsync(cancellationToken))
            .Select(g => (g.Key, g.Count)).ToList();

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
