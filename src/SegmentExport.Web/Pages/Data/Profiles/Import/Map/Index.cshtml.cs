using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Pages.Data.Profiles.Import.Map;

/// <summary>Step 2 of an import: confirm delimiter and header, map each column, start.</summary>
public sealed class IndexModel(AppDbContext db, ImportWorker worker, AuditLog audit) : PageModel
{
    public sealed class ColumnInput
    {
        public ColumnTarget Target { get; set; }
        public string? AttributeName { get; set; }
        public AttributeType AttributeType { get; set; }
    }

    public ProfileImport Import { get; private set; } = new();
    public CsvShape Shape { get; private set; } = new(',', true, [], []);
    public IReadOnlyDictionary<string, AttributeType> KnownAttributes { get; private set; } = new Dictionary<string, AttributeType>();

    [BindProperty]
    public string? Delimiter { get; set; } = ",";

    [BindProperty]
    public bool HasHeader { get; set; }

    [BindProperty]
    public List<ColumnInput> Columns { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } redirect)
        {
            return redirect;
        }

        Delimiter = Import.Delimiter;
        HasHeader = Import.HasHeader;
        Columns = ImportMapping.FromJson(Import.Mapping ?? "[]").Columns
            .Select(c => new ColumnInput { Target = c.Target, AttributeName = c.AttributeName, AttributeType = c.AttributeType }).ToList();
        return await ShapeAsync(cancellationToken);
    }

    /// <summary>Re-reads the start of the file with the chosen delimiter and header setting.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(long id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } redirect)
        {
            return redirect;
        }

        var delimiter = Delimiter == "\\t" ? '\t' : (Delimiter ?? ",").FirstOrDefault(',');
        if (!CsvSniffer.Delimiters.Contains(delimiter))
        {
            delimiter = ',';
        }

        var shape = await CsvSniffer.SniffAsync(Import.StoredPath, delimiter, HasHeader, 10, cancellationToken);
        var tracked = await db.ProfileImports.SingleAsync(i => i.Id == id, cancellationToken);
        tracked.Delimiter = delimiter.ToString();
        tracked.HasHeader = HasHeader;
        tracked.Mapping = ImportMapping.Suggest(shape.Header, shape.Preview).ToJson();
        audit.Record(User, "import.format_changed", "ProfileImport", id, $"Import #{id} read with delimiter {(delimiter == '\t' ? "tab" : "'" + delimiter + "'")}, {(HasHeader ? "with" : "without")} a header row.");
        await db.SaveChangesAsync(cancellationToken);
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostStartAsync(long id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } redirect)
        {
            return redirect;
        }

        var mapping = new ImportMapping(Columns
            .Select((c, i) => new ColumnMapping(i, c.Target, c.Target == ColumnTarget.Attribute ? c.AttributeName?.Trim() : null, c.AttributeType))
            .ToList());
        foreach (var problem in mapping.Problems())
        {
            ModelState.AddModelError("", problem);
        }

        await LoadKnownAttributesAsync(cancellationToken);
        foreach (var attribute in mapping.Attributes)
        {
            if (KnownAttributes.TryGetValue(attribute.AttributeName ?? "", out var type) && type != attribute.AttributeType)
            {
                ModelState.AddModelError($"Columns[{attribute.Index}].AttributeType",
                    $"'{attribute.AttributeName}' already holds {type} values: choose {type}, or another name.");
            }
        }

        if (!ModelState.IsValid)
        {
            Delimiter = Import.Delimiter;
            HasHeader = Import.HasHeader;
            return await ShapeAsync(cancellationToken);
        }

        var tracked = await db.ProfileImports.SingleAsync(i => i.Id == id, cancellationToken);
        tracked.Mapping = mapping.ToJson();
        tracked.Status = ImportStatus.Queued;
        audit.Record(User, "import.started", "ProfileImport", id, $"Started an import ({(mapping.MatchesByExternalId ? "matching by external id" : "matching by email")}).");
        await db.SaveChangesAsync(cancellationToken);
        worker.Enqueue(id);
        return RedirectToPage("/Data/Profiles/Imports/Details/Index", new { id });
    }

    private async Task<IActionResult?> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var import = await db.ProfileImports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (import is null)
        {
            return NotFound();
        }

        Import = import;
        // Once started, the mapping is history: show the report instead.
        return import.Status == ImportStatus.Uploaded && System.IO.File.Exists(import.StoredPath)
            ? null
            : RedirectToPage("/Data/Profiles/Imports/Details/Index", new { id });
    }

    private async Task<IActionResult> ShapeAsync(CancellationToken cancellationToken)
    {
        try
        {
            Shape = await CsvSniffer.SniffAsync(Import.StoredPath, Import.Delimiter[0], Import.HasHeader, 10, cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            ModelState.AddModelError("", "The file is not UTF-8 text.");
        }

        while (Columns.Count < Shape.Header.Count)
        {
            Columns.Add(new ColumnInput { Target = ColumnTarget.Ignore });
        }

        await LoadKnownAttributesAsync(cancellationToken);
        return Page();
    }

    private async Task LoadKnownAttributesAsync(CancellationToken cancellationToken) =>
        KnownAttributes = await db.AttributeDefinitions.AsNoTracking().ToDictionaryAsync(a => a.Name, a => a.Type, cancellationToken);
}
