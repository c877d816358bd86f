using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages.Admin.Users;

public sealed class CreateModel(AppDbContext db, UserAccounts accounts, AuditLog audit) : PageModel
{
    [BindProperty]
    public NewUserInput Input { get; set; } = new();

    [BindProperty]
    public string Role { get; set; } = Roles.Contributor;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!Roles.All.Contains(Role))
        {
            ModelState.AddModelError(nameof(Role), "Choose Administrator, Contributor or Viewer.");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (user, errors) = await accounts.CreateAsync(Input, Role);
        if (user is null)
        {
            UserAccounts.AddErrors(ModelState, errors);
            return Page();
        }

        audit.Record(User, "user.created", "User", user.Id, $"Added user #{user.Id} as {Role}.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        TempData["Flash"] = $"Added {user.DisplayName} as {Role}.";
        return RedirectToPage("Index");
    }
}
