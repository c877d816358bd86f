using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages.Account;

public sealed class LoginModel(SignInManager<AppUser> signIn, UserManager<AppUser> users, AppDbContext db, AuditLog audit, ILogger<LoginModel> logger) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter an email address such as name@example.com.")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = await users.FindByEmailAsync(Input.Email);
        if (user is null)
        {
            ModelState.AddModelError("", "The email or password is not right.");
            return Page();
        }

        if (user.IsDisabled)
        {
            ModelState.AddModelError("", "This account is disabled. Ask an administrator to enable it.");
            return Page();
        }

        var wasLockedOut = await users.IsLockedOutAsync(user);
        var result = await signIn.PasswordSignInAsync(user, Input.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            logger.LogInformation("User {UserId} signed in", user.Id);
            audit.RecordAs(user.Id, user.Email ?? "", "user.signed_in", "User", user.Id, $"User #{user.Id} signed in.");
            await db.SaveChangesAsync();
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        if (result.IsLockedOut)
        {
            logger.LogWarning("User {UserId} is locked out after repeated failed sign-ins", user.Id);
            if (!wasLockedOut)
            {
                // The failure that just locked the account: once per lockout, not for every attempt while locked.
                audit.RecordSystem("system", "user.locked_out", "User", user.Id, $"User #{user.Id} locked out after repeated failed sign-ins.");
                await db.SaveChangesAsync();
            }

            var until = await users.GetLockoutEndDateAsync(user);
            var minutes = until is null ? 15 : Math.Max(1, (int)Math.Ceiling((until.Value - DateTimeOffset.UtcNow).TotalMinutes));
            ModelState.AddModelError("", $"Too many failed sign-ins: this account is locked for {minutes} more minute(s). Try again later or ask an administrator to reset your password.");
            return Page();
        }

        ModelState.AddModelError("", "The email or password is not right.");
        return Page();
    }
}
