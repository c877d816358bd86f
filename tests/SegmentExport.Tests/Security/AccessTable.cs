namespace SegmentExport.Tests.Security;

/// <summary>Who may reach a handler. Anonymous callers of anything but <see cref="Anyone"/> are sent to sign in (pages) or get 401 (API).</summary>
public enum Access
{
    /// <summary>Everyone, signed in or not.</summary>
    Anyone,

    /// <summary>Viewers, Contributors and Administrators.</summary>
    SignedIn,

    /// <summary>Contributors and Administrators; Viewers get 403.</summary>
    Contributors,

    /// <summary>Administrators; Contributors and Viewers get 403.</summary>
    Administrators,
}

/// <param name="Key">The handler, as <see cref="Endpoints.KeysAsync"/> names it.</param>
/// <param name="Access">Who may reach it.</param>
/// <param name="Path">A request that reaches it; {connection}, {segment}, {export}, {run}, {import}, {profile}, {user} and {token}
/// (an API token) are replaced by objects of the caller's own, so a delete by one role does not change what the next one sees.</param>
/// <param name="Audit">For a POST that changes something: the audit action it records; "" for one that changes nothing.</param>
/// <param name="Last">Runs after the others (deletes, sign-out).</param>
/// <param name="Answers">The status it answers when allowed, where that is by design not a success (the access-denied page's 403).</param>
/// <param name="Body">For an API call that changes something: the JSON it sends (placeholders as in <paramref name="Path"/>), one that succeeds.</param>
public sealed record AccessRow(string Key, Access Access, string Path, string? Audit = null, bool Last = false, int? Answers = null, string? Body = null)
{
    public string Method => Key[..Key.IndexOf(' ', StringComparison.Ordinal)];

    public bool IsPost => Method == "POST";

    /// <summary>Anything but a read: POST, PATCH.</summary>
    public bool Changes => Method != "GET";

    public bool IsApi => Key.Contains(" /api/", StringComparison.Ordinal);
}

/// <summary>
/// The expectation table of the role matrix. A new page, handler or endpoint fails <see cref="RoleMatrixTests"/> until it
/// has a row here; a row whose handler is gone fails it too.
/// </summary>
public static class AccessTable
{
    private const string NewExport = """
        {"name": "API export over connection {connection}", "connectionId": {connection}, "listId": "a1b2c3d4e5",
         "fields": [{"source": "first_name", "target": "first_name"}], "segmentIds": [{segment}], "schedule": "OnDemand"}
        """;

    public static readonly IReadOnlyList<AccessRow> Rows =
    [
        // Account, first run, status pages, health.
        new("GET /Account/Login", Access.Anyone, "/Account/Login"),
        new("POST /Account/Login", Access.Anyone, "/Account/Login", Audit: "user.signed_in"),
        new("GET /Account/AccessDenied", Access.Anyone, "/Account/AccessDenied", Answers: 403),
        new("GET /Account/Logout", Access.SignedIn, "/Account/Logout"),
        new("POST /Account/Logout", Access.SignedIn, "/Account/Logout", Audit: "user.signed_out", Last: true),
        new("GET /Setup/Index", Access.Anyone, "/Setup"),
        new("POST /Setup/Index", Access.Anyone, "/Setup", Audit: "user.created"),
        new("GET /Status", Access.Anyone, "/Status?code=404"),
        new("POST /Status", Access.Anyone, "/Status?code=404", Audit: ""),
        new("GET /Error", Access.Anyone, "/Error"),
        new("POST /Error", Access.Anyone, "/Error", Audit: ""),
        new("GET /healthz", Access.Anyone, "/healthz"),
        new("GET /readyz", Access.Anyone, "/readyz"),
        new("GET /Index", Access.SignedIn, "/"),
        new("GET /Account/ApiTokens", Access.SignedIn, "/Account/ApiTokens"),
        new("POST /Account/ApiTokens?handler=Create", Access.SignedIn, "/Account/ApiTokens?handler=Create", Audit: "api_token.created"),
        new("POST /Account/ApiTokens?handler=Revoke", Access.SignedIn, "/Account/ApiTokens?handler=Revoke&id={token}", Audit: "api_token.revoked", Last: true),
        new("GET /openapi/{documentName}.json", Access.Anyone, "/openapi/v1.json"),

        // Profiles and imports.
        new("GET /Data/Profiles/Index", Access.SignedIn, "/Data/Profiles"),
        new("POST /Data/Profiles/Index?handler=Demo", Access.Administrators, "/Data/Profiles?handler=Demo", Audit: "demo.generated"),
        new("GET /Data/Profiles/Details/Index", Access.SignedIn, "/Data/Profiles/Details/{profile}"),
        new("GET /Data/Profiles/Imports/Index", Access.SignedIn, "/Data/Profiles/Imports"),
        new("GET /Data/Profiles/Imports/Details/Index", Access.SignedIn, "/Data/Profiles/Imports/Details/{import}"),
        new("GET /Data/Profiles/Imports/Details/Index?handler=Status", Access.SignedIn, "/Data/Profiles/Imports/Details/{import}?handler=Status"),
        new("GET /Data/Profiles/Import/Index", Access.Contributors, "/Data/Profiles/Import"),
        new("POST /Data/Profiles/Import/Index", Access.Contributors, "/Data/Profiles/Import", Audit: "import.uploaded"),
        new("GET /Data/Profiles/Import/Map/Index", Access.Contributors, "/Data/Profiles/Import/Map/{import}"),
        new("POST /Data/Profiles/Import/Map/Index?handler=Preview", Access.Contributors, "/Data/Profiles/Import/Map/{import}?handler=Preview", Audit: "import.format_changed"),
        new("POST /Data/Profiles/Import/Map/Index?handler=Start", Access.Contributors, "/Data/Profiles/Import/Map/{import}?handler=Start", Audit: "import.started"),
        new("POST /api/profiles", Access.Contributors, "/api/profiles", Audit: "profiles.upserted", Body: """{"profiles": [{"email": "matrix@example.com"}]}"""),

        // Segments.
        new("GET /Data/Segments/Index", Access.SignedIn, "/Data/Segments"),
        new("POST /Data/Segments/Index?handler=RefreshAll", Access.Contributors, "/Data/Segments?handler=RefreshAll", Audit: "segment.refreshed_all"),
        new("GET /Data/Segments/Details", Access.SignedIn, "/Data/Segments/Details/{segment}"),
        new("POST /Data/Segments/Details?handler=Refresh", Access.Contributors, "/Data/Segments/Details/{segment}?handler=Refresh", Audit: "segment.refreshed"),
        new("POST /Data/Segments/Details?handler=Duplicate", Access.Contributors, "/Data/Segments/Details/{segment}?handler=Duplicate", Audit: "segment.duplicated"),
        new("GET /Data/Segments/Edit", Access.Contributors, "/Data/Segments/Edit/{segment}"),
        new("POST /Data/Segments/Edit", Access.Contributors, "/Data/Segments/Edit/{segment}", Audit: "segment.updated"),
        new("POST /Data/Segments/Edit?handler=Preview", Access.Contributors, "/Data/Segments/Edit/{segment}?handler=Preview", Audit: ""),
        new("GET /Data/Segments/Delete", Access.Contributors, "/Data/Segments/Delete/{segment}"),
        new("POST /Data/Segments/Delete", Access.Contributors, "/Data/Segments/Delete/{segment}", Audit: "segment.deleted", Last: true),

        // Exports.
        new("GET /Data/Exports/Index", Access.SignedIn, "/Data/Exports"),
        new("POST /Data/Exports/Index?handler=Enable", Access.Contributors, "/Data/Exports?handler=Enable&id={export}&enabled=true", Audit: "export.enabled"),
        new("GET /Data/Exports/Details", Access.SignedIn, "/Data/Exports/Details/{export}"),
        new("POST /Data/Exports/Details?handler=Run", Access.Contributors, "/Data/Exports/Details/{export}?handler=Run&mode=dry", Audit: "export.run"),
        new("POST /Data/Exports/Details?handler=Duplicate", Access.Contributors, "/Data/Exports/Details/{export}?handler=Duplicate", Audit: "export.created"),
        new("POST /Data/Exports/Details?handler=Enable", Access.Contributors, "/Data/Exports/Details/{export}?handler=Enable&enabled=true", Audit: "export.enabled"),
        new("GET /Data/Exports/Run", Access.SignedIn, "/Data/Exports/Run/{run}"),
        new("GET /Data/Exports/Run?handler=Progress", Access.SignedIn, "/Data/Exports/Run/{run}?handler=Progress"),
        new("GET /Data/Exports/Run?handler=Csv", Access.SignedIn, "/Data/Exports/Run/{run}?handler=Csv&kind=rejected"),
        new("POST /Data/Exports/Run?handler=Cancel", Access.Contributors, "/Data/Exports/Run/{run}?handler=Cancel", Audit: "export.run_cancelled"),
        new("GET /Data/Exports/Edit", Access.Contributors, "/Data/Exports/Edit/{export}"),
        new("POST /Data/Exports/Edit", Access.Contributors, "/Data/Exports/Edit/{export}", Audit: "export.updated"),
        new("POST /Data/Exports/Edit?handler=Reload", Access.Contributors, "/Data/Exports/Edit/{export}?handler=Reload", Audit: ""),
        new("POST /Data/Exports/Edit?handler=AddField", Access.Contributors, "/Data/Exports/Edit/{export}?handler=AddField", Audit: ""),
        new("GET /Data/Exports/Delete", Access.Contributors, "/Data/Exports/Delete/{export}"),
        new("POST /Data/Exports/Delete", Access.Contributors, "/Data/Exports/Delete/{export}", Audit: "export.deleted", Last: true),

        // The JSON API, called with the caller's own API token (and, for reads and refusals, with the cookie and antiforgery header).
        // Contributors change only over connections shared with them: the matrix's connections are; Api/ApiAuthorizationTests has those that are not.
        new("GET /api/connections", Access.SignedIn, "/api/connections"),
        new("GET /api/segments", Access.SignedIn, "/api/segments"),
        new("POST /api/segments/{id:long}/refresh", Access.Contributors, "/api/segments/{segment}/refresh", Audit: "segment.refreshed", Body: ""),
        new("GET /api/exports/", Access.SignedIn, "/api/exports"),
        new("POST /api/exports/", Access.Contributors, "/api/exports", Audit: "export.created", Body: NewExport),
        new("GET /api/exports/{id:long}", Access.SignedIn, "/api/exports/{export}"),
        new("PATCH /api/exports/{id:long}", Access.Contributors, "/api/exports/{export}", Audit: "export.updated", Body: """{"tags": ["api"]}"""),
        new("GET /api/exports/{id:long}/runs", Access.SignedIn, "/api/exports/{export}/runs"),
        new("POST /api/exports/{id:long}/runs", Access.Contributors, "/api/exports/{export}/runs", Audit: "export.run", Body: """{"dryRun": true}"""),
        new("GET /api/runs/{id:long}", Access.SignedIn, "/api/runs/{run}"),
        new("GET /api/runs/{id:long}/rows", Access.SignedIn, "/api/runs/{run}/rows"),
        new("POST /api/runs/{id:long}/cancel", Access.Contributors, "/api/runs/{run}/cancel", Audit: "export.run_cancelled", Body: ""),

        // Connections as contributors see them.
        new("GET /Data/Connections/Index", Access.SignedIn, "/Data/Connections"),

        // Administration.
        new("GET /Admin/Connections/Index", Access.Administrators, "/Admin/Connections"),
        new("GET /Admin/Connections/Add", Access.Administrators, "/Admin/Connections/Add?platform=mailchimp"),
        new("POST /Admin/Connections/Add", Access.Administrators, "/Admin/Connections/Add?platform=mailchimp", Audit: "connection.created"),
        new("GET /Admin/Connections/Callback", Access.Administrators, "/Admin/Connections/Callback?code=x&state=y"),
        new("GET /Admin/Connections/Details", Access.Administrators, "/Admin/Connections/Details/{connection}"),
        new("POST /Admin/Connections/Details?handler=Test", Access.Administrators, "/Admin/Connections/Details/{connection}?handler=Test", Audit: "connection.tested"),
        new("POST /Admin/Connections/Details?handler=Reconnect", Access.Administrators, "/Admin/Connections/Details/{connection}?handler=Reconnect", Audit: "connection.reconnected"),
        new("GET /Admin/Connections/Edit", Access.Administrators, "/Admin/Connections/Edit/{connection}"),
        new("POST /Admin/Connections/Edit", Access.Administrators, "/Admin/Connections/Edit/{connection}", Audit: "connection.changed"),
        new("GET /Admin/Connections/Remove", Access.Administrators, "/Admin/Connections/Remove/{connection}"),
        new("POST /Admin/Connections/Remove", Access.Administrators, "/Admin/Connections/Remove/{connection}", Audit: "connection.removed", Last: true),
        new("GET /Admin/Users/Index", Access.Administrators, "/Admin/Users"),
        new("GET /Admin/Users/Create", Access.Administrators, "/Admin/Users/Create"),
        new("POST /Admin/Users/Create", Access.Administrators, "/Admin/Users/Create", Audit: "user.created"),
        new("GET /Admin/Users/Edit", Access.Administrators, "/Admin/Users/Edit/{user}"),
        new("POST /Admin/Users/Edit?handler=Role", Access.Administrators, "/Admin/Users/Edit/{user}?handler=Role", Audit: "user.role_changed"),
        new("POST /Admin/Users/Edit?handler=Disable", Access.Administrators, "/Admin/Users/Edit/{user}?handler=Disable", Audit: "user.disabled"),
        new("POST /Admin/Users/Edit?handler=Enable", Access.Administrators, "/Admin/Users/Edit/{user}?handler=Enable", Audit: "user.enabled"),
        new("POST /Admin/Users/Edit?handler=Password", Access.Administrators, "/Admin/Users/Edit/{user}?handler=Password", Audit: "user.password_reset"),
        new("GET /Admin/System/Index", Access.Administrators, "/Admin/System"),
        new("POST /Admin/System/Index?handler=Schedule", Access.Administrators, "/Admin/System?handler=Schedule", Audit: "system.refresh_scheduled"),
        new("POST /Admin/System/Index?handler=RefreshNow", Access.Administrators, "/Admin/System?handler=RefreshNow", Audit: "system.refresh_started"),
    ];
}
