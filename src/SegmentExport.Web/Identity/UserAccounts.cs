using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace SegmentExport.Web.Identity;

/// <summary>
/// Account changes with the rules Identity does not know: exactly one role per user, and the last
/// enabled administrator can be neither demoted nor disabled (nobody could administer the app).
/// </summary>
public sealed class UserAccounts(UserManager<AppUser> users, TimeProvider clock)
{
    public async Task<(AppUser? User, IEnumerable<IdentityError> Errors)> CreateAsync(NewUserInput input, string role)
    {
        var user = new AppUser
        {
            UserName = input.Email.Trim(),
            Email = input.Email.Trim(),
            DisplayName = input.DisplayName.Trim(),
            EmailConfirmed = true,
            LockoutEnabled = true,
            CreatedAt = clock.GetUtcNow(),
        };
        var created = await users.CreateAsync(user, input.Password);
        if (!created.Succeeded)
        {
            return (null, created.Errors);
        }

        var added = await users.AddToRoleAsync(user, role);
        return added.Succeeded ? (user, []) : (null, added.Errors);
    }

    public async Task<string> RoleOfAsync(AppUser user) =>
        (await users.GetRolesAsync(user)).FirstOrDefault() ?? Roles.Viewer;

    /// <summary>Null on success, otherwise a sentence saying why not.</summary>
    public async Task<string?> SetRoleAsync(AppUser user, string role)
    {
        if (!Roles.All.Contains(role))
        {
            return $"'{role}' is not a role; choose Administrator, Contributor or Viewer.";
        }

        var current = await users.GetRolesAsync(user);
        if (current.Count == 1 && current[0] == role)
        {
            return null;
        }

        if (current.Contains(Roles.Administrator) && role != Roles.Administrator && await IsLastAdministratorAsync(user))
        {
            return "This is the only enabled administrator; make someone else an administrator first.";
        }

        var removed = await users.RemoveFromRolesAsync(user, current);
        var added = removed.Succeeded ? await users.AddToRoleAsync(user, role) : removed;
        if (!added.Succeeded)
        {
            return string.Join(" ", added.Errors.Select(e => e.Description));
        }

        // Existing sessions pick up the new role at the next security-stamp check.
        await users.UpdateSecurityStampAsync(user);
        return null;
    }

    public async Task<string?> SetDisabledAsync(AppUser user, bool disabled)
    {
        if (disabled && await users.IsInRoleAsync(user, Roles.Administrator) && await IsLastAdministratorAsync(user))
        {
            return "This is the only enabled administrator; it cannot be disabled.";
        }

        user.IsDisabled = disabled;
        var result = await users.UpdateAsync(user);
        if (result.Succeeded)
        {
            await users.UpdateSecurityStampAsync(user);
        }

        return result.Succeeded ? null : string.Join(" ", result.Errors.Select(e => e.Description));
    }

    public async Task<IEnumerable<IdentityError>> ResetPasswordAsync(AppUser user, string newPassword)
    {
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, newPassword);
        if (result.Succeeded)
        {
            // A reset also lifts a lockout: that is usually why the admin is resetting it.
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
        }

        return result.Errors;
    }

    private async Task<bool> IsLastAdministratorAsync(AppUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Administrator);
        return !admins.Any(a => a.Id != user.Id && !a.IsDisabled);
    }

    public static void AddErrors(ModelStateDictionary modelState, IEnumerable<IdentityError> errors)
    {
        // The user name is the email, so a duplicate email is also reported as a duplicate user name;
        // say it once, in the email's words.
        foreach (var error in errors.Where(e => e.Code != "DuplicateUserName"))
        {
            var field = error.Code switch
            {
                "DuplicateEmail" or "DuplicateUserName" or "InvalidEmail" or "InvalidUserName" => "Input.Email",
                _ when error.Code.StartsWith("Password", StringComparison.Ordinal) => "Input.Password",
                _ => "",
            };
            modelState.AddModelError(field, error.Description);
        }
    }
}
