using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Pages.Data.Profiles.Details;

public sealed class IndexModel(AppDbContext db) : PageModel
{
    public Profile Profile { get; private set; } = new();
    public IReadOnlyList<(string Name, string Value)> Attributes { get; private set; } = [];
    public IReadOnlyList<(long Id, string Name)> Memberships { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var profile = await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (profile is null)
        {
            return NotFound();
        }

        Profile = profile;
        using var json = JsonDocument.Parse(profile.Attributes);
        Attributes = json.RootElement.EnumerateObject()
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.Array
                ? string.Join(", ", p.Value.EnumerateArray().Select(v => v.ToString()))
                : p.Value.ToString()))
            .ToList();
        Memberships = (await db.SegmentMembers.AsNoTracking().Where(m => m.ProfileId == id)
                .Join(db.Segments, m => m.SegmentId, s => s.Id, (m, s) => new { s.Id, s.Name })
                .OrderBy(s => s.Name).ToListAsync(cancellationToken))
            .Select(s => (s.Id, s.Name)).ToList();
        return Page();
    }
}
