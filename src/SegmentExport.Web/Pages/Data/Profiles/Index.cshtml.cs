using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Identity;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Pages.Data.Profiles;

/// <summary>Profiles, searched by email or name prefix, filtered by segment, paged by id (keyset).</summary>
public sealed class IndexModel(AppDbContext db) : PageModel
{
    public const int DemoCount = 10_000;

    private const int PageSize = 50;

    public sealed record Row(long Id, string? Email, string? FirstName, string? LastName, string? Phone, DateTimeOffset UpdatedAt);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IReadOnlyList<(long Id, string Name)> Segments { get; private set; } = [];
    public long? NextAfter { get; private set; }
    public bool AnyProfiles { get; private set; }
    public string? Q { get; private set; }
    public long? SegmentId { get; private set; }

    public async Task OnGetAsync(string? q, long? segment, long? after, CancellationToken cancellationToken)
    {
        Q = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        SegmentId = segment;
        Segments = (await db.Segments.AsNoTracking().OrderBy(s => s.Name).Select(s => new { s.Id, s.Name }).ToListAsync(cancellationToken))
            .Select(s => (s.Id, s.Name)).ToList();

        var start = after ?? 0;
        var profiles = db.Profiles.AsNoTracking().Where(p => p.Id > start);
        if (segment is long segmentId)
        {
            profiles = profiles.Where(p => db.SegmentMembers.Any(m => m.SegmentId == segmentId && m.ProfileId == p.Id));
        }

        if (Q is not null)
        {
            var prefix = LikePattern.Escape(Q.ToLowerInvariant()) + "%";
            // ToLower() is translated to SQL lower(), matching the sx_ expression indexes; culture is not involved.
#pragma warning disable CA1304, CA1311
            profiles = Q.Contains('@', StringComparison.Ordinal)
                ? profiles.Where(p => EF.Functions.Like(p.EmailNormalized!, prefix, "\\"))
                : profiles.Where(p => EF.Functions.Like(p.EmailNormalized!, prefix, "\\")
                    || EF.Functions.Like(p.FirstName!.ToLower(), prefix, "\\")
                    || EF.Functions.Like(p.LastName!.ToLower(), prefix, "\\"));
#pragma warning restore CA1304, CA1311
        }

        var rows = await profiles.OrderBy(p => p.Id).Take(PageSize + 1)
            .Select(p => new Row(p.Id, p.Email, p.FirstName, p.LastName, p.Phone, p.UpdatedAt))
            .ToListAsync(cancellationToken);
        NextAfter = rows.Count > PageSize ? rows[PageSize - 1].Id : null;
        Rows = rows.Take(PageSize).ToList();
        AnyProfiles = Rows.Count > 0 || await db.Profiles.AnyAsync(cancellationToken);
    }

    /// <summary>The admin's "fill this empty install with demo profiles" button.</summary>
    public async Task<IActionResult> OnPostDemoAsync(
        [FromServices] IAuthorizationService authorization, [FromServices] DemoData demo, [FromServices] AuditLog audit, CancellationToken cancellationToken)
    {
        // Razor Pages cannot put [Authorize] on one handler; the check is made here, on the server.
        if (!(await authorization.AuthorizeAsync(User, Policies.Administer)).Succeeded)
        {
            return Forbid();
        }

        if (await db.Profiles.AnyAsync(cancellationToken))
        {
            TempData["Flash"] = "Demo profiles are only added to an empty install.";
            return RedirectToPage();
        }

        await demo.GenerateAsync(DemoCount, seed: 42, cancellationToken);
        audit.Record(User, "demo.generated", "Profile", "demo", $"Generated {DemoCount:N0} demo profiles.");
        await db.SaveChangesAsync(cancellationToken);
        TempData["Flash"] = $"Added {DemoCount:N0} demo profiles with emails at example.com, example.net and example.org.";
        return RedirectToPage();
    }
}
