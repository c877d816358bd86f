using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Segments;

namespace SegmentExport.Web.Pages.Data.Segments;

/// <summary>Create (no id) or edit a segment with the rule builder; preview before saving; saving refreshes.</summary>
public sealed class EditModel(
    AppDbContext db, NpgsqlDataSource dataSource, SegmentPreview preview, SegmentRefresher refresher, AuditLog audit, TimeProvider clock) : PageModel
{
    public sealed class InputModel
    {
        [Required(ErrorMessage = "Give the segment a name.")]
        [StringLength(200, ErrorMessage = "Keep the name within 200 characters.")]
        public string Name { get; set; } = "";

        [StringLength(1000, ErrorMessage = "Keep the description within 1,000 characters.")]
        public string? Description { get; set; }

        /// <summary>The rule tree as JSON, written by the rule builder (or by hand without JavaScript).</summary>
        public string? Rules { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public long? SegmentId { get; private set; }
    public string? OriginalName { get; private set; }
    public IReadOnlyList<RuleError> RuleErrors { get; private set; } = [];
    public string BuilderConfig { get; private set; } = "{}";

    public string? FieldError(string key) =>
        ModelState.TryGetValue(key, out var entry) ? entry.Errors.FirstOrDefault()?.ErrorMessage : null;

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken cancellationToken)
    {
        if (id is long existing)
        {
            var segment = await db.Segments.AsNoTracking().Where(s => s.Id == existing)
                .Select(s => new { s.Name, s.Description, s.Rules }).SingleOrDefaultAsync(cancellationToken);
            if (segment is null)
            {
                return NotFound();
            }

            Input = new InputModel { Name = segment.Name, Description = segment.Description, Rules = segment.Rules };
            OriginalName = segment.Name;
        }
        else
        {
            Input = new InputModel { Rules = SegmentRules.Serialize(new RuleGroup()) };
        }

        SegmentId = id;
        await LoadBuilderAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken cancellationToken)
    {
        SegmentId = id;
        var segment = id is long existing ? await db.Segments.SingleOrDefaultAsync(s => s.Id == existing, cancellationToken) : null;
        if (id is not null && segment is null)
        {
            return NotFound();
        }

        OriginalName = segment?.Name;
        var fields = await SegmentFields.LoadAsync(dataSource, cancellationToken);
        if (!SegmentRules.TryParse(Input.Rules, out var rules, out var parseError))
        {
            RuleErrors = [new RuleError("", "Rules", parseError!)];
        }
        else
        {
            RuleErrors = RuleValidator.Validate(rules, fields);
        }

        if (RuleErrors.Count > 0)
        {
            ModelState.AddModelError("Input.Rules", RuleErrors.Count == 1 ? "One condition needs fixing (marked below)." : $"{RuleErrors.Count} conditions need fixing (marked below).");
        }

        var name = Input.Name?.Trim() ?? "";
        if (name.Length > 0 && await db.Segments.AnyAsync(s => EF.Functions.ILike(s.Name, RuleCompiler.EscapeLike(name)) && s.Id != (id ?? 0), cancellationToken))
        {
            ModelState.AddModelError("Input.Name", $"A segment called “{name}” already exists. Choose another name.");
        }

        if (!ModelState.IsValid)
        {
            await LoadBuilderAsync(cancellationToken, fields);
            return Page();
        }

        var now = clock.GetUtcNow();
        var isNew = segment is null;
        segment ??= new Segment { CreatedAt = now };
        segment.Name = name;
        segment.Description = Input.Description?.Trim() ?? "";
        segment.Rules = SegmentRules.Serialize(rules);
        segment.UpdatedAt = now;

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (isNew)
            {
                db.Segments.Add(segment);
                await db.SaveChangesAsync(cancellationToken);
            }

            audit.Record(User, isNew ? "segment.created" : "segment.updated", "Segment", segment.Id,
                $"Segment #{segment.Id} “{segment.Name}” {(isNew ? "created" : "saved")} with {CountConditions(rules)} conditions.");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var refresh = await refresher.RefreshAsync(segment.Id, cancellationToken);
        TempData["Flash"] = refresh.Succeeded
            ? $"Saved “{segment.Name}”: {refresh.MemberCount:N0} profiles match."
            : $"Saved “{segment.Name}”.";
        if (!refresh.Succeeded)
        {
            TempData["FlashError"] = refresh.Error;
        }

        return RedirectToPage("Details", new { id = segment.Id });
    }

    /// <summary>The count and first members of the rules being edited; nothing is saved.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken)
    {
        var result = await preview.PreviewAsync(Input.Rules, cancellationToken);
        return new JsonResult(new
        {
            count = result.Count,
            members = result.Members,
            errors = result.Errors.Select(e => new { e.Path, e.Position, e.Message }),
        });
    }

    private static int CountConditions(RuleGroup group) => group.Conditions.Count + group.Groups.Sum(CountConditions);

    private async Task LoadBuilderAsync(CancellationToken cancellationToken, SegmentFields? fields = null)
    {
        fields ??= await SegmentFields.LoadAsync(dataSource, cancellationToken);
        BuilderConfig = JsonSerializer.Serialize(new
        {
            fields = fields.All.Select(f => new { f.Key, f.Label, type = f.Type.ToString(), f.IsAttribute, f.Operators }),
            words = RuleOperators.Words,
            maxDepth = RuleValidator.MaxGroupDepth,
            errors = RuleErrors.Select(e => new { e.Path, e.Message }),
        }, SegmentRules.Json);
    }
}
