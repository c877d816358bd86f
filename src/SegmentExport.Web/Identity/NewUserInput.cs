using System.ComponentModel.DataAnnotations;

namespace SegmentExport.Web.Identity;

/// <summary>The form for a new account (first-run setup and Admin > Users > Add).</summary>
public sealed class NewUserInput
{
    [Required(ErrorMessage = "Enter a name people will recognise.")]
    [StringLength(200, ErrorMessage = "Keep the name under 200 characters.")]
    public string DisplayName { get; set; } = "";

    [Required(ErrorMessage = "Enter an email address.")]
    [EmailAddress(ErrorMessage = "Enter an email address such as name@example.com.")]
    [StringLength(256, ErrorMessage = "Keep the email under 256 characters.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Choose a password.")]
    [StringLength(200, MinimumLength = 10, ErrorMessage = "Use at least 10 characters.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Type the password again.")]
    [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
    [DataType(DataType.Password)]
    public string ConfirmPassword { get; set; } = "";
}
