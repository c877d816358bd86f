using System.ComponentModel.DataAnnotations;

namespace SegmentExport.Web.Hosting;

/// <summary>The "App" configuration section: where the app keeps its own files.</summary>
public sealed class AppOptions
{
    public const string Section = "App";

    /// <summary>
    /// Folder for data the app owns (the embedded PostgreSQL cluster among it). Relative paths are
    /// resolved against the content root.
    /// </summary>
    [Required(ErrorMessage = "App:DataDirectory must name a folder (it was empty).")]
    public string DataDirectory { get; set; } = ".data";

    public static string ResolveDataDirectory(IConfiguration configuration, string contentRoot)
    {
        var configured = configuration[$"{Section}:{nameof(DataDirectory)}"];
        var folder = string.IsNullOrWhiteSpace(configured) ? ".data" : configured;
        return Path.GetFullPath(Path.Combine(contentRoot, folder));
    }
}
