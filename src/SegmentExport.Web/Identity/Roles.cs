namespace SegmentExport.Web.Identity;

/// <summary>The three roles and the policies built on them.</summary>
public static class Roles
{
    public const string Administrator = "Administrator";
    public const string Contributor = "Contributor";
    public const string Viewer = "Viewer";

    public static readonly IReadOnlyList<string> All = [Administrator, Contributor, Viewer];

    public static string Describe(string role) => role switch
    {
        Administrator => "Manages connections, users and the system schedule; can do everything.",
        Contributor => "Creates, edits, schedules and runs exports over shared connections.",
        Viewer => "Sees exports, runs and results; changes nothing.",
        _ => "",
    };
}

public static class Policies
{
    /// <summary>Administrators only.</summary>
    public const string Administer = "Administer";

    /// <summary>Administrators and Contributors: may change exports, segments and profiles.</summary>
    public const string Contribute = "Contribute";
}
