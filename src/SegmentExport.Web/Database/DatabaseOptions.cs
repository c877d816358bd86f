using System.ComponentModel.DataAnnotations;

namespace SegmentExport.Web.Database;

/// <summary>
/// The "Database" section. The server itself is <c>ConnectionStrings:Postgres</c>; these settings only
/// shape the embedded cluster started when that connection string is absent.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string ConnectionStringName = "Postgres";

    /// <summary>Folder holding initdb/pg_ctl. Empty: search PATH, then /usr/lib/postgresql/*/bin.</summary>
    public string? ServerBinDirectory { get; set; }

    /// <summary>Folder for the embedded cluster. Empty: "postgres" under App:DataDirectory.</summary>
    public string? EmbeddedDataDirectory { get; set; }

    /// <summary>Loopback port for the embedded cluster; 0 picks a free one at each start.</summary>
    [Range(0, 65535, ErrorMessage = "Database:EmbeddedPort must be between 0 and 65535.")]
    public int EmbeddedPort { get; set; }

    /// <summary>Name of the application database, created on first start when missing.</summary>
    [Required(ErrorMessage = "Database:Name must not be empty.")]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Database:Name must be a lower-case PostgreSQL identifier such as 'segmentexport'.")]
    public string Name { get; set; } = "segmentexport";
}
