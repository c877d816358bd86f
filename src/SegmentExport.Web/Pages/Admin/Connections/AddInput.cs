using System.ComponentModel.DataAnnotations;
using SegmentExport.Web.Connections;

namespace SegmentExport.Web.Pages.Admin.Connections;

/// <summary>The add-connection wizard's answers. Credentials are bound here only on the way in; nothing echoes them back.</summary>
public sealed class AddInput
{
    [Required(ErrorMessage = "Enter a display name, such as 'Newsletter EU'.")]
    [StringLength(ConnectionLimits.Name, ErrorMessage = "Keep the display name under 200 characters.")]
    public string Name { get; set; } = "";

    public bool SharedWithContributors { get; set; }

    public bool Consent { get; set; }

    public bool AddExportUser { get; set; } = true;

    /// <summary><c>oauth</c> or <c>apikey</c>.</summary>
    public string AuthMethod { get; set; } = "";

    public string? ApiKey { get; set; }

    public string? Host { get; set; }

    public string? ClientId { get; set; }

    [Range(1, Connection.DefaultProfileCap, ErrorMessage = "The profile cap must be between 1 and 1,000,000.")]
    /// <summary>Empty means the default, 1,000,000.</summary>
    public int? ProfileCap { get; set; } = Connection.DefaultProfileCap;
}
