using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;

namespace SegmentExport.Web.Pages.Data.Exports;

/// <summary>Add (no id) or edit an export. Changing the connection or list reloads the form with that platform's lists and fields; saving never runs the export.</summary>
public sealed class EditModel(AppDbContext db, ExportEditor editor, ExportDestinations destinations, ConnectionAccounts connections) : PageModel
{
    public sealed record SourceOption(string Key, string Label);

    [BindProperty]
    public ExportInput Input { get; set; } = new();

    public long? ExportId { get; private set; }
    public string? OriginalName { get; private set; }
    public IReadOnlyList<UsableConnection> Connections { get; private set; } = [];
    public DestinationChoice Choice { get; private set; } = DestinationChoice.None;
    public IReadOnlyList<SourceOption> Sources { get; private set; } = [];
    public IReadOnlyList<(long Id, string Name, long MemberCount)> Segments { get; private set; } = [];

    public string? FieldError(string key) =>
        ModelState.TryGetValue(key, out var entry) ? entry.Errors.FirstOrDefault()?.ErrorMessage : null;

    public async Task<IActionResult> OnGetAsync(long? id, long? connectionId, CancellationToken cancellationToken)
    {
        if (id is long existing)
        {
            var export = await db.Exports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == existing, cancellationToken);
            if (export is null)
            {
                return NotFound();
            }

            var segmentIds = await db.ExportSegments.AsNoTracking().Where(s => s.ExportId == existing).Select(s => s.SegmentId).ToListAsync(cancellationToken);
            Input = ExportInput.From(export, segmentIds);
            OriginalName = export.Name;
        }
        else if (connectionId is long chosen)
        {
            Input.ConnectionId = chosen;
        }

        ExportId = id;
        await LoadAsync(cancellationToken);
        if (Input.ConnectionId > 0 && !Connections.Any(c => c.Id == Input.ConnectionId))
        {
            ModelState.AddModelError("Input.ConnectionId", "This export's connection is removed or not shared with you; choose another connection to save it.");
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(id, cancellationToken) is IActionResult missing)
        {
            return missing;
        }

        var result = await editor.SaveAsync(id, Input, ModelState.IsValid, User, cancellationToken);
        if (result.ExportId is long saved)
        {
            TempData["Flash"] = $"Saved “{Input.Name.Trim()}”. Nothing was sent: it runs {(Input.Schedule == ExportSchedule.OnDemand ? "when you press Run now" : "on its schedule, or when you press Run now")}.";
            return RedirectToPage("Details", new { id = saved });
        }

        foreach (var (key, message) in result.Errors)
        {
            ModelState.AddModelError(key, message);
        }

        await LoadAsync(cancellationToken, result.Choice);
        return Page();
    }

    /// <summary>Shows the chosen connection's lists and the chosen list's fields; saves nothing.</summary>
    public async Task<IActionResult> OnPostReloadAsync(long? id, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(id, cancellationToken) is IActionResult missing)
        {
            return missing;
        }

        ModelState.Clear();
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>"Add attribute": one more mapping row; saves nothing.</summary>
    public Task<IActionResult> OnPostAddFieldAsync(long? id, CancellationToken cancellationToken)
    {
        Input.Fields.Add(new FieldRow());
        return OnPostReloadAsync(id, cancellationToken);
    }

    private async Task<IActionResult?> PrepareAsync(long? id, CancellationToken cancellationToken)
    {
        ExportId = id;
        if (id is long existing)
        {
            OriginalName = await db.Exports.Where(e => e.Id == existing).Select(e => e.Name).SingleOrDefaultAsync(cancellationToken);
            if (OriginalName is null)
            {
                return NotFound();
            }
        }

        return null;
    }

    private async Task LoadAsync(CancellationToken cancellationToken, DestinationChoice? choice = null)
    {
        Connections = await connections.UsableByAsync(User, cancellationToken);
        // Only ask the platform about a connection this user may use: the form never reveals another's lists.
        Choice = choice ?? (Connections.Any(c => c.Id == Input.ConnectionId)
            ? await destinations.LoadAsync(Input.ConnectionId, Input.ChosenListId, cancellationToken)
            : DestinationChoice.None);
        var attributes = await db.AttributeDefinitions.AsNoTracking().OrderBy(a => a.Name).Select(a => new { a.Name, a.Type }).ToListAsync(cancellationToken);
        Sources =
        [
            new("first_name", "First name"), new("last_name", "Last name"), new("phone", "Phone"), new("external_id", "External id"),
            .. attributes.Select(a => new SourceOption(ExportMapping.AttributePrefix + a.Name, $"{a.Name} ({a.Type.ToString().ToLowerInvariant()})")),
        ];
        Segments = (await db.Segments.AsNoTracking().OrderBy(s => s.Name).Select(s => new { s.Id, s.Name, s.MemberCount }).ToListAsync(cancellationToken))
            .Select(s => (s.Id, s.Name, s.MemberCount)).ToList();
        if (Input.Fields.Count == 0)
        {
            Input.Fields.Add(new FieldRow());
        }
    }
}
