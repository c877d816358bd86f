using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages.Data.Exports;

public sealed class IndexModel(ExportSummaries summaries, ExportControl control, ConnectionAccounts connections, AppDbContext db) : PageModel
{
    public IReadOnlyList<ExportSummary> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int Pages => Math.Max(1, (Total + ExportSummaries.PageSize - 1) / ExportSummaries.PageSize);
    public bool CanChange { get; private set; }
    public bool HasSegments { get; private set; }

    /// <summary>Connections this user may run and edit exports on: all for Administrators, shared ones for Contributors.</summary>
    public IReadOnlySet<long> UsableConnections { get; private set; } = new HashSet<long>();

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "sort")]
    public ExportSort Sort { get; set; }

    [BindProperty(SupportsGet = true, Name = "desc")]
    public bool Descending { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public async Task OnGetAsync([FromServices] IAuthorizationService authorization, CancellationToken cancellationToken)
    {
        // A hand-edited address (?sort=bogus, ?page=-3) falls back to the defaults instead of failing.
        ModelState.Clear();
        CanChange = (await authorization.AuthorizeAsync(User, Policies.Contribute)).Succeeded;
        UsableConnections = (await connections.UsableByAsync(User, cancellationToken)).Select(c => c.Id).ToHashSet();
        PageNumber = Math.Max(1, PageNumber);
        (Rows, Total) = await summaries.PageAsync(Search, Sort, Descending, PageNumber, cancellationToken);
        if (Rows.Count == 0 && PageNumber > Pages)
        {
            PageNumber = Pages;
            (Rows, Total) = await summaries.PageAsync(Search, Sort, Descending, PageNumber, cancellationToken);
        }

        HasSegments = Rows.Count > 0 || await db.Segments.AnyAsync(cancellationToken);
    }

    /// <summary>Whether this user may edit, enable or run <paramref name="export"/>: a detached one only to re-attach it.</summary>
    public bool MayChange(ExportSummary export) => CanChange && (export.Detached || UsableConnections.Contains(export.ConnectionId));

    /// <summary>The list's address with one thing changed, keeping the rest.</summary>
    public string Link(ExportSort? sort = null, bool? descending = null, int? page = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["q"] = string.IsNullOrWhiteSpace(Search) ? null : Search,
            ["sort"] = (sort ?? Sort) == ExportSort.Name ? null : (sort ?? Sort).ToString(),
            ["desc"] = (descending ?? Descending) ? "true" : null,
            ["page"] = (page ?? PageNumber) > 1 ? (page ?? PageNumber).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/Data/Exports", query.Where(kv => kv.Value is not null)!);
    }

    /// <summary>The link a column header makes: its order, or the reverse when already in it.</summary>
    public string SortLink(ExportSort column) => Link(column, column == Sort && !Descending, 1);

    public string? AriaSort(ExportSort column) => column == Sort ? (Descending ? "descending" : "ascending") : null;

    /// <summary>Contributors only, like every POST in this folder (see <see cref="ExportPagesSetup"/>).</summary>
    public async Task<IActionResult> OnPostEnableAsync(long id, bool enabled, CancellationToken cancellationToken)
    {
        Flash(await control.SetEnabledAsync(id, enabled, User, cancellationToken));
        return Redirect(Link());
    }

    private void Flash(ExportControl.Answer answer) => TempData[answer.Done ? "Flash" : "FlashError"] = answer.Sentence;
}
