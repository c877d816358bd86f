using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Pages.Data.Profiles.Import;

/// <summary>Step 1 of an import: receive the file (streamed to disk), check it is readable text, then map its columns.</summary>
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public sealed class IndexModel(AppDbContext db, ImportWorker worker, AuditLog audit, TimeProvider clock) : PageModel
{
    public const long MaxUploadBytes = 4L * 1024 * 1024 * 1024;

    [BindProperty]
    public IFormFile? Upload { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), Upload is null ? "Choose a CSV file to upload." : "The file is empty: there is nothing to import.");
            return Page();
        }

        Directory.CreateDirectory(worker.UploadFolder);
        var path = Path.Combine(worker.UploadFolder, $"{Guid.NewGuid():N}.csv");
        await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await Upload.CopyToAsync(target, cancellationToken);
        }

        CsvShape shape;
        try
        {
            shape = await CsvSniffer.SniffAsync(path, null, null, previewRows: 10, cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            System.IO.File.Delete(path);
            ModelState.AddModelError(nameof(Upload), "The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.");
            return Page();
        }

        if (shape.Header.Count == 0)
        {
            System.IO.File.Delete(path);
            ModelState.AddModelError(nameof(Upload), "The file has no rows: there is nothing to import.");
            return Page();
        }

        var import = new ProfileImport
        {
            FileName = Path.GetFileName(Upload.FileName),
            SizeBytes = Upload.Length,
            StoredPath = path,
            Status = ImportStatus.Uploaded,
            Delimiter = shape.Delimiter.ToString(),
            HasHeader = shape.HasHeader,
            Mapping = ImportMapping.Suggest(shape.Header, shape.Preview).ToJson(),
            CreatedById = long.TryParse(User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value, out var userId) ? userId : null,
            CreatedByName = User.Identity?.Name ?? "",
            CreatedAt = clock.GetUtcNow(),
        };
        db.ProfileImports.Add(import);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record(User, "import.uploaded", "ProfileImport", import.Id, $"Uploaded a CSV file of {import.SizeBytes:N0} bytes.");
        await db.SaveChangesAsync(cancellationToken);
        return RedirectToPage("/Data/Profiles/Import/Map/Index", new { id = import.Id });
    }
}
