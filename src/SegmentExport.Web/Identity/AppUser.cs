using Microsoft.AspNetCore.Identity;

namespace SegmentExport.Web.Identity;

/// <summary>A person who signs in. Roles are Identity roles (see <see cref="Roles"/>).</summary>
public sealed class AppUser : IdentityUser<long>
{
    public string DisplayName { get; set; } = "";

    /// <summary>Disabled users cannot sign in and lose their session at the next security-stamp check.</summary>
    public bool IsDisabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class AppRole : IdentityRole<long>
{
    public AppRole()
    {
    }

    public AppRole(string name) : base(name)
    {
    }
}
