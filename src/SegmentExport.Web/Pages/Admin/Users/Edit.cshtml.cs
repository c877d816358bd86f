using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SegmentExport.Web.Audit;
using SegmentExport.Web.Data;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Pages.Admin.Users;

/// <summary>Role, enable/disable and password reset for one user; each form posts to its own handler.</summary>
public sealed class EditModel(AppDbContext db, UserManager<AppUser> users, UserAccounts accounts, AuditLog audit, TimeProvider clock) : PageModel
{
    public AppUser Account { get; private set; } = new();
    public string CurrentRole { get; private set; } = "";
    public bool IsLockedOut { get; private set; }

    public sealed class PasswordInput
    {
        [Required(ErrorMessage = "Enter the new password.")]
        [StringLength(200, MinimumLength = 10, ErrorMessage = "Use at least 10 characters.")]
        public string NewPassword { get; set; } = "";

        [Required(ErrorMessage = "Type the password again.")]
        [Compare(nameof(NewPassword), ErrorMessage = "The two passwords differ.")]
        public string ConfirmPassword { get; set; } = "";
    }

    public string? FieldError(string key) =>
        ModelState.TryGetValue(key, out var entry) ? entry.Errors.FirstOrDefault()?.ErrorMessage : null;

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRoleAsync(long id, string? role, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        var error = await accounts.SetRoleAsync(Account, role ?? "");
        if (error is not null)
        {
            ModelState.AddModelError("role", error);
            return Page();
        }

        return await SavedAsync("user.role_changed", $"Role of user #{id} set to {role}.", $"{Account.DisplayName} is now {role}.", cancellationToken);
    }

    public Task<IActionResult> OnPostDisableAsync(long id, CancellationToken cancellationToken) => SetDisabledAsync(id, true, cancellationToken);

    public Task<IActionResult> OnPostEnableAsync(long id, CancellationToken cancellationToken) => SetDisabledAsync(id, false, cancellationToken);

    public async Task<IActionResult> OnPostPasswordAsync(long id, PasswordInput input, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var errors = (await accounts.ResetPasswordAsync(Account, input.NewPassword)).ToList();
        if (errors.Count > 0)
        {
            ModelState.AddModelError(nameof(PasswordInput.NewPassword), string.Join(" ", errors.Select(e => e.Description)));
            return Page();
        }

        return await SavedAsync("user.password_reset", $"Password of user #{id} reset by an administrator.", $"Password of {Account.DisplayName} reset.", cancellationToken);
    }

    private async Task<IActionResult> SetDisabledAsync(long id, bool disabled, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        var error = await accounts.SetDisabledAsync(Account, disabled);
        if (error is not null)
        {
            ModelState.AddModelError("", error);
            return Page();
        }

        var verb = disabled ? "disabled" : "enabled";
        return await SavedAsync($"user.{verb}", $"User #{id} {verb}.", $"{Account.DisplayName} is {verb}.", cancellationToken);
    }

    private async Task<IActionResult> SavedAsync(string action, string summary, string flash, CancellationToken cancellationToken)
    {
        audit.Record(User, action, "User", Account.Id, summary);
        await db.SaveChangesAsync(cancellationToken);
        TempData["Flash"] = flash;
        return RedirectToPage(new { id = Account.Id });
    }

    private async Task<bool> LoadAsync(long id)
    {
        var user = await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (user is null)
        {
            return false;
        }

        Account = user;
        CurrentRole = await accounts.RoleOfAsync(user);
        IsLockedOut = user.LockoutEnd is { } end && end > clock.GetUtcNow();
        return true;
    }
}
