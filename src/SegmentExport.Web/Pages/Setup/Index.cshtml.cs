using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages.Setup;

/// <summary>Creates the first administrator; answers 404 once any user exists.</summary>
public sealed class IndexModel(
    AppDbContext db,
    UserAccounts accounts,
    SignInManager<AppUser> signIn,
    FirstRun firstRun,
    AuditLog audit) : PageModel
{
    // Serializes two people submitting the setup form at the same moment.
    private const long SetupLockKey = 0x5365747570;

    [BindProperty]
    public NewUserInput Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await firstRun.IsPendingAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await firstRun.IsPendingAsync(cancellationToken))
        {
            return NotFound();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({SetupLockKey})", cancellationToken);
        if (await db.Users.AnyAsync(cancellationToken))
        {
            return NotFound();
        }

        var (user, errors) = await accounts.CreateAsync(Input, Roles.Administrator);
        if (user is null)
        {
            UserAccounts.AddErrors(ModelState, errors);
            return Page();
        }

        audit.RecordSystem(user.Email ?? "", "user.created", "User", user.Id, "First administrator created at first-run setup.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        firstRun.Completed();
        await signIn.SignInAsync(user, isPersistent: false);
        TempData["Flash"] = "Your administrator account is ready.";
        return Redirect("/");
    }
}
