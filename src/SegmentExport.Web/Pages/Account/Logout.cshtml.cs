using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages.Account;

public sealed class LogoutModel(SignInManager<AppUser> signIn, AppDbContext db, AuditLog audit) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (User.Identity?.IsAuthenticated == true)
        {
            audit.Record(User, "user.signed_out", "User", User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", "Signed out.");
            await db.SaveChangesAsync();
        }

        await signIn.SignOutAsync();
        return RedirectToPage("/Account/Login");
    }
}
