using Microsoft.AspNetCore.Identity;

namespace SegmentExport.Web.Identity;

/// <summary>
/// Rules beyond the length Identity checks: a password may not contain the account's email address or its part before
/// the '@', and may not be one of the passwords attackers try first. No composition rules (they make passwords worse).
/// </summary>
public sealed class PasswordRules : IPasswordValidator<AppUser>
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "1234567890", "12345678910", "123456789012", "0123456789", "1111111111", "0000000000", "9876543210",
        "password12", "password123", "password1234", "passw0rd123", "qwertyuiop", "qwerty12345", "qwerty123456",
        "1q2w3e4r5t", "1qaz2wsx3edc", "abcdefghij", "abc1234567", "iloveyou12", "letmein123", "welcome123",
        "admin12345", "administrator", "changeme123", "segmentexport", "trustno1234", "football123", "monkey12345",
    };

    public Task<IdentityResult> ValidateAsync(UserManager<AppUser> manager, AppUser user, string? password)
    {
        ArgumentNullException.ThrowIfNull(user);
        var text = (password ?? "").Trim();
        if (Common.Contains(text))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordTooCommon",
                Description = "This password is among the first ones attackers try; choose another (a few unrelated words work well).",
            }));
        }

        var email = (user.Email ?? user.UserName ?? "").Trim();
        var local = email.Split('@')[0];
        if ((email.Length > 0 && text.Contains(email, StringComparison.OrdinalIgnoreCase))
            || (local.Length >= 4 && text.Contains(local, StringComparison.OrdinalIgnoreCase)))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordContainsEmail",
                Description = "The password must not contain the email address or its name part.",
            }));
        }

        return Task.FromResult(IdentityResult.Success);
    }
}
