namespace SegmentExport.Web.Database;

/// <summary>Finds the PostgreSQL server programs (initdb, pg_ctl) on this machine.</summary>
public static class ServerBinaries
{
    public const string InstallAdvice =
        "No PostgreSQL server programs (initdb, pg_ctl) were found on PATH or in /usr/lib/postgresql/*/bin: " +
        "install them with 'apt-get install postgresql' (Debian), set Database:ServerBinDirectory to the folder holding them, " +
        "or set ConnectionStrings:Postgres to use an existing server.";

    /// <summary>The folder holding both initdb and pg_ctl, or null when there is none.</summary>
    public static string? Find(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasBoth(configured) ? Path.GetFullPath(configured) : null;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasBoth);
        if (onPath is not null)
        {
            return onPath;
        }

        // Debian keeps server programs off PATH, one folder per major version; prefer the newest.
        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot))
        {
            return null;
        }

        return Directory.GetDirectories(debianRoot)
            .Select(dir => (Dir: Path.Combine(dir, "bin"), Major: int.TryParse(Path.GetFileName(dir), out var v) ? v : 0))
            .Where(x => HasBoth(x.Dir))
            .OrderByDescending(x => x.Major)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    private static bool HasBoth(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));
}
