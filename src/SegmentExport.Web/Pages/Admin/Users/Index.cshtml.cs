using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;

namespace SegmentExport.Web.Pages.Admin.Users;

public sealed class IndexModel(AppDbContext db, TimeProvider clock) : PageModel
{
    private const int PageSize = 50;

    public sealed record Row(long Id, string DisplayName, string Email, string Role, bool IsDisabled, bool IsLockedOut, DateTimeOffset CreatedAt);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public long? NextAfter { get; private set; }

    public async Task OnGetAsync(long? after, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var start = after ?? 0;
        var rows = await db.Users.AsNoTracking()
            .Where(u => u.Id > start)
            .OrderBy(u => u.Id)
            .Take(PageSize + 1)
            .Select(u => new Row(
                u.Id,
                u.DisplayName,
                u.Email ?? "",
                db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault() ?? "",
                u.IsDisabled,
                u.LockoutEnd != null && u.LockoutEnd > now,
                u.CreatedAt))
            .ToListAsync(cancellationToken);
        NextAfter = rows.Count > PageSize ? rows[PageSize - 1].Id : null;
        Rows = rows.Take(PageSize).ToList();
    }
}
