namespace SegmentExport.Tests.Security;

/// <summary>How a bad input reaches the app.</summary>
public enum Door
{
    /// <summary>A form post (fields as a query string, values URL-encoded) from <see cref="BadInput.Page"/> to <see cref="BadInput.Target"/>.</summary>
    Form,

    /// <summary>A GET of <see cref="BadInput.Target"/> (query strings, ids).</summary>
    Get,

    /// <summary>A file uploaded on the import page; <see cref="BadInput.Target"/> is the file name.</summary>
    Upload,

    /// <summary>A whole CSV file uploaded, mapped and imported; the answer is on the import's page.</summary>
    CsvFile,

    /// <summary>One line of a CSV file (columns external_id, email, first_name, ltv number, joined date, vip boolean); its rejection is listed with its line.</summary>
    CsvRow,

    /// <summary>
    /// A call to the JSON API with an API token, as a script makes it. <see cref="BadInput.Target"/> is a path to POST to, or
    /// "METHOD /path"; <see cref="BadInput.Page"/> is the content type (empty: no body). {detached} is an export whose connection was removed.
    /// </summary>
    Api,
}

/// <param name="Expect">Words of the answer that tell the person what is wrong.</param>
/// <param name="Status">The status the answer comes with.</param>
public sealed record BadInput(string Name, Door Door, string Target, string Body, string Expect, int Status = 200, string Page = "")
{
    public override string ToString() => $"{Door} {Name}";
}

/// <summary>
/// The catalogue of bad inputs: each is answered with a clear message and never with a 500. Placeholders {export},
/// {segment}, {connection}, {import}, {user}, {run} and {profile} are objects that exist; {long:N} is N characters.
/// </summary>
public static class BadInputCatalogue
{
    private const string NewUser = "Input.DisplayName=Ann&Input.Email=ann%40example.com&Input.Password=correct%20horse%20battery&Input.ConfirmPassword=correct%20horse%20battery&Role=Viewer";
    private const string NewConnection = "Platform=mailchimp&Input.Name=Bad%20input&Input.Consent=true&Input.AuthMethod=apikey&Input.ApiKey=0123456789abcdef0123456789abcdef-us21&Input.ProfileCap=10";
    private const string NewSegment = "Input.Name=Bad%20input%20segment&Input.Rules=" + "%7B%22match%22%3A%22all%22%2C%22conditions%22%3A%5B%7B%22field%22%3A%22email%22%2C%22operator%22%3A%22contains%22%2C%22value%22%3A%22%40%22%7D%5D%7D";
    private const string NewExport = "Input.Name=Bad%20input%20export&Input.ConnectionId={connection}&Input.ListId=a1b2c3d4e5&Input.SegmentIds={segment}&Input.Fields[0].Source=first_name&Input.Fields[0].Target=first_name&Input.Leavers=Nothing&Input.Schedule=SystemRefresh&Input.Enabled=true";

    private static string Rules(string json) => "Input.Name=Rules%20test&Input.Rules=" + Uri.EscapeDataString(json);

    public static readonly IReadOnlyList<BadInput> All =
    [
        // Sign-in.
        new("sign-in with nothing", Door.Form, "/Account/Login", "Input.Email=&Input.Password=", "Enter your email address.", Page: "/Account/Login"),
        new("sign-in with a malformed email", Door.Form, "/Account/Login", "Input.Email=x&Input.Password=y", "Enter an email address such as name@example.com.", Page: "/Account/Login"),
        new("sign-in with a 10,000-character password", Door.Form, "/Account/Login", "Input.Email=admin%40example.com&Input.Password={long:10000}", "The email or password is not right.", Page: "/Account/Login"),
        new("sign-in with a null character in the email", Door.Form, "/Account/Login", "Input.Email=a%00%40example.com&Input.Password=y", "The request was not understood", 400, Page: "/Account/Login"),

        // Users.
        new("new user with nothing", Door.Form, "/Admin/Users/Create", "Input.DisplayName=&Input.Email=&Input.Password=&Input.ConfirmPassword=&Role=Viewer", "Enter a name people will recognise.", Page: "/Admin/Users/Create"),
        new("new user with a malformed email", Door.Form, "/Admin/Users/Create", NewUser.Replace("ann%40example.com", "not-an-email", StringComparison.Ordinal), "Enter an email address such as name@example.com.", Page: "/Admin/Users/Create"),
        new("new user with differing passwords", Door.Form, "/Admin/Users/Create", NewUser.Replace("Input.ConfirmPassword=correct%20horse%20battery", "Input.ConfirmPassword=something%20else%20entirely", StringComparison.Ordinal), "The two passwords differ.", Page: "/Admin/Users/Create"),
        new("new user with an unknown role", Door.Form, "/Admin/Users/Create", NewUser.Replace("Role=Viewer", "Role=Owner", StringComparison.Ordinal), "Choose Administrator, Contributor or Viewer.", Page: "/Admin/Users/Create"),
        new("new user with a 300-character email", Door.Form, "/Admin/Users/Create", NewUser.Replace("ann%40example.com", "{long:290}%40example.com", StringComparison.Ordinal), "Keep the email under 256 characters.", Page: "/Admin/Users/Create"),
        new("new user with an email already in use", Door.Form, "/Admin/Users/Create", NewUser.Replace("ann%40example.com", "admin%40example.com", StringComparison.Ordinal), "is already taken", Page: "/Admin/Users/Create"),
        new("new user with a common password", Door.Form, "/Admin/Users/Create", NewUser.Replace("correct%20horse%20battery", "password123", StringComparison.Ordinal), "among the first ones attackers try", Page: "/Admin/Users/Create"),
        new("role change to a made-up role", Door.Form, "/Admin/Users/Edit/{user}?handler=Role", "role=Superuser", "'Superuser' is not a role", Page: "/Admin/Users/Edit/{user}"),
        new("password reset too short", Door.Form, "/Admin/Users/Edit/{user}?handler=Password", "NewPassword=short&ConfirmPassword=short", "Use at least 10 characters.", Page: "/Admin/Users/Edit/{user}"),
        new("a user that does not exist", Door.Get, "/Admin/Users/Edit/999999999", "", "There is nothing at this address", 404),
        new("a user id that is not a number", Door.Get, "/Admin/Users/Edit/abc", "", "There is nothing at this address", 404),
        new("a user id past the range of numbers", Door.Get, "/Admin/Users/Edit/99999999999999999999999", "", "There is nothing at this address", 404),

        // System refresh schedule.
        new("schedule with a broken cron expression", Door.Form, "/Admin/System?handler=Schedule", "Mode=cron&Cron=every%20day&TimeZone=UTC", "is not a Quartz cron expression", Page: "/Admin/System"),
        new("schedule with an unknown time zone", Door.Form, "/Admin/System?handler=Schedule", "Mode=daily&Time=02%3A30&TimeZone=Mars%2FOlympus", "is not a time zone this server knows", Page: "/Admin/System"),
        new("schedule with a time zone that is a path", Door.Form, "/Admin/System?handler=Schedule", "Mode=daily&Time=02%3A30&TimeZone=..%2F..%2F..%2Fetc%2Fpasswd", "is not a time zone this server knows", Page: "/Admin/System"),
        new("schedule with an empty time zone", Door.Form, "/Admin/System?handler=Schedule", "Mode=daily&Time=02%3A30&TimeZone=", "Choose a time zone", Page: "/Admin/System"),
        new("schedule with a time zone of control characters", Door.Form, "/Admin/System?handler=Schedule", "Mode=daily&Time=02%3A30&TimeZone=%01%02%1B", "is not a time zone this server knows", Page: "/Admin/System"),
        new("schedule at 25:99", Door.Form, "/Admin/System?handler=Schedule", "Mode=daily&Time=25%3A99&TimeZone=UTC", "Give the time as HH:mm", Page: "/Admin/System"),
        new("schedule on a day that does not exist", Door.Form, "/Admin/System?handler=Schedule", "Mode=weekly&Time=02%3A30&Day=FUNDAY&TimeZone=UTC", "Choose the day of the week.", Page: "/Admin/System"),

        // Connections.
        new("connection without consent", Door.Form, "/Admin/Connections/Add?platform=mailchimp", NewConnection.Replace("Input.Consent=true", "Input.Consent=false", StringComparison.Ordinal), "no consent, no connection", Page: "/Admin/Connections/Add?platform=mailchimp"),
        new("connection without a name", Door.Form, "/Admin/Connections/Add?platform=mailchimp", NewConnection.Replace("Input.Name=Bad%20input", "Input.Name=", StringComparison.Ordinal), "Enter a display name", Page: "/Admin/Connections/Add?platform=mailchimp"),
        new("connection with a 300-character name", Door.Form, "/Admin/Connections/Add?platform=mailchimp", NewConnection.Replace("Input.Name=Bad%20input", "Input.Name={long:300}", StringComparison.Ordinal), "Keep the display name under 200 characters.", Page: "/Admin/Connections/Add?platform=mailchimp"),
        new("connection with a profile cap of 0", Door.Form, "/Admin/Connections/Add?platform=mailchimp", NewConnection.Replace("Input.ProfileCap=10", "Input.ProfileCap=0", StringComparison.Ordinal), "The profile cap must be between 1 and 1,000,000.", Page: "/Admin/Connections/Add?platform=mailchimp"),
        new("connection with a profile cap that is not a number", Door.Form, "/Admin/Connections/Add?platform=mailchimp", NewConnection.Replace("Input.ProfileCap=10", "Input.ProfileCap=lots", StringComparison.Ordinal), "is not valid", Page: "/Admin/Connections/Add?platform=mailchimp"),
        new("connection with an API key holding spaces", Door.Form, "/Admin/Connections/Add?platform=mailchimp", NewConnection.Replace("0123456789abcdef0123456789abcdef-us21", "0123%20456-us21", StringComparison.Ordinal), "it has spaces or is too long", Page: "/Admin/Connections/Add?platform=mailchimp"),
        new("connection with a 600-character API key", Door.Form, "/Admin/Connections/Add?platform=mailchimp", NewConnection.Replace("0123456789abcdef0123456789abcdef-us21", "{long:600}-us21", StringComparison.Ordinal), "it has spaces or is too long", Page: "/Admin/Connections/Add?platform=mailchimp"),
        new("Mailchimp key without its data center", Door.Form, "/Admin/Connections/Add?platform=mailchimp", NewConnection.Replace("0123456789abcdef0123456789abcdef-us21", "0123456789abcdef0123456789abcdef", StringComparison.Ordinal), "ends in its data center", Page: "/Admin/Connections/Add?platform=mailchimp"),
        new("ActiveCampaign host given as a URL", Door.Form, "/Admin/Connections/Add?platform=activecampaign", NewConnection.Replace("Platform=mailchimp", "Platform=activecampaign", StringComparison.Ordinal) + "&Input.Host=https%3A%2F%2Fx.api-us1.com", "without 'https://'", Page: "/Admin/Connections/Add?platform=activecampaign"),
        new("a platform we do not know", Door.Form, "/Admin/Connections/Add?platform=myspace", NewConnection.Replace("Platform=mailchimp", "Platform=myspace", StringComparison.Ordinal), "There is nothing at this address", 404, Page: "/Admin/Connections/Add?platform=mailchimp"),
        new("connection edit with a negative cap", Door.Form, "/Admin/Connections/Edit/{connection}", "Input.Name=Renamed&Input.ProfileCap=-5", "The profile cap must be between 1 and 1,000,000.", Page: "/Admin/Connections/Edit/{connection}"),
        new("a connection that does not exist", Door.Get, "/Admin/Connections/Details/999999999", "", "There is nothing at this address", 404),

        // Segments.
        new("segment without a name", Door.Form, "/Data/Segments/Edit", NewSegment.Replace("Input.Name=Bad%20input%20segment", "Input.Name=", StringComparison.Ordinal), "Give the segment a name.", Page: "/Data/Segments/Edit"),
        new("segment with a 201-character name", Door.Form, "/Data/Segments/Edit", NewSegment.Replace("Input.Name=Bad%20input%20segment", "Input.Name={long:201}", StringComparison.Ordinal), "Keep the name within 200 characters.", Page: "/Data/Segments/Edit"),
        new("segment rules that are not JSON", Door.Form, "/Data/Segments/Edit", Rules("all of them please"), "One condition needs fixing", Page: "/Data/Segments/Edit"),
        new("segment rule on a field that does not exist", Door.Form, "/Data/Segments/Edit", Rules("""{"match":"all","conditions":[{"field":"attributes.shoe_size","operator":"equals","value":"42"}]}"""), "There is no field or attribute called", Page: "/Data/Segments/Edit"),
        new("segment rule with an empty group", Door.Form, "/Data/Segments/Edit", Rules("""{"match":"all","conditions":[],"groups":[{"match":"any","conditions":[]}]}"""), "This group has no conditions", Page: "/Data/Segments/Edit"),
        new("segment rules nested too deep", Door.Form, "/Data/Segments/Edit", Rules(string.Concat(Enumerable.Repeat("""{"match":"all","conditions":[{"field":"email","operator":"contains","value":"@"}],"groups":[""", 6)) + string.Concat(Enumerable.Repeat("]}", 6))), "Groups nest at most", Page: "/Data/Segments/Edit"),
        new("segment rules nested past what the reader takes", Door.Form, "/Data/Segments/Edit", Rules(string.Concat(Enumerable.Repeat("""{"match":"all","groups":[""", 20)) + string.Concat(Enumerable.Repeat("]}", 20))), "The rules could not be read", Page: "/Data/Segments/Edit"),
        new("segment rules nested 2,000 deep", Door.Form, "/Data/Segments/Edit", Rules(string.Concat(Enumerable.Repeat("""{"match":"all","conditions":[""", 2000)) + string.Concat(Enumerable.Repeat("]}", 2000))), "needs fixing", Page: "/Data/Segments/Edit"),
        new("segment rule with an unknown operator", Door.Form, "/Data/Segments/Edit", Rules("""{"match":"all","conditions":[{"field":"email","operator":"sounds_like","value":"x"}]}"""), "needs fixing", Page: "/Data/Segments/Edit"),
        new("segment name already in use", Door.Form, "/Data/Segments/Edit", NewSegment.Replace("Input.Name=Bad%20input%20segment", "Input.Name=Segment%20of%20admin", StringComparison.Ordinal), "already exists", Page: "/Data/Segments/Edit"),
        new("a segment that does not exist", Door.Get, "/Data/Segments/Details/999999999", "", "There is nothing at this address", 404),

        // Exports.
        new("export without a name", Door.Form, "/Data/Exports/Edit", NewExport.Replace("Input.Name=Bad%20input%20export", "Input.Name=", StringComparison.Ordinal), "Give the export a name.", Page: "/Data/Exports/Edit"),
        new("export to a connection that does not exist", Door.Form, "/Data/Exports/Edit", NewExport.Replace("Input.ConnectionId={connection}", "Input.ConnectionId=999999999", StringComparison.Ordinal), "connection", Page: "/Data/Exports/Edit"),
        new("export of no segment", Door.Form, "/Data/Exports/Edit", NewExport.Replace("&Input.SegmentIds={segment}", "", StringComparison.Ordinal), "Choose at least one segment to export.", Page: "/Data/Exports/Edit"),
        new("export of a segment that does not exist", Door.Form, "/Data/Exports/Edit", NewExport.Replace("Input.SegmentIds={segment}", "Input.SegmentIds=999999999", StringComparison.Ordinal), "A chosen segment no longer exists", Page: "/Data/Exports/Edit"),
        new("export on a broken cron expression", Door.Form, "/Data/Exports/Edit", NewExport.Replace("Input.Schedule=SystemRefresh", "Input.Schedule=Cron&Input.CronExpression=at%20noon", StringComparison.Ordinal), "is not a Quartz cron expression", Page: "/Data/Exports/Edit"),
        new("export in a time zone of control characters", Door.Form, "/Data/Exports/Edit", NewExport.Replace("Input.Schedule=SystemRefresh", "Input.Schedule=Cron&Input.CronExpression=0%200%206%20*%20*%20%3F&Input.TimeZone=%01%1B", StringComparison.Ordinal), "is not a time zone this server knows", Page: "/Data/Exports/Edit"),
        new("export in an unknown time zone", Door.Form, "/Data/Exports/Edit", NewExport.Replace("Input.Schedule=SystemRefresh", "Input.Schedule=Cron&Input.CronExpression=0%200%206%20*%20*%20%3F&Input.TimeZone=Nowhere%2FLand", StringComparison.Ordinal), "is not a time zone this server knows", Page: "/Data/Exports/Edit"),
        new("export with a made-up leaver action", Door.Form, "/Data/Exports/Edit", NewExport.Replace("Input.Leavers=Nothing", "Input.Leavers=Explode", StringComparison.Ordinal), "is not valid", Page: "/Data/Exports/Edit"),
        new("export mapping to a field the list lacks", Door.Form, "/Data/Exports/Edit", NewExport.Replace("Input.Fields[0].Target=first_name", "Input.Fields[0].Target=SHOE_SIZE", StringComparison.Ordinal), "The list has no field", Page: "/Data/Exports/Edit"),
        new("export mapping from a profile field that does not exist", Door.Form, "/Data/Exports/Edit", NewExport.Replace("Input.Fields[0].Source=first_name", "Input.Fields[0].Source=password_hash", StringComparison.Ordinal), "is not a profile field", Page: "/Data/Exports/Edit"),
        new("a run of an export that does not exist", Door.Form, "/Data/Exports/Details/999999999?handler=Run&mode=run", "", "There is nothing at this address", 404, Page: "/"),
        new("a run page that does not exist", Door.Get, "/Data/Exports/Run/999999999", "", "There is nothing at this address", 404),

        // Searches and paging.
        new("profile search with LIKE wildcards", Door.Get, "/Data/Profiles?q=%25_%5C%25", "", "Profiles"),
        new("profile search of 5,000 characters", Door.Get, "/Data/Profiles?q={long:5000}", "", "Profiles"),
        new("profile paging from a cursor that is not a number", Door.Get, "/Data/Profiles?after=abc", "", "Profiles"),
        new("profile filter on a segment that does not exist", Door.Get, "/Data/Profiles?segment=-1", "", "Profiles"),
        new("export paging from a cursor with a null character", Door.Get, "/Data/Exports?after=%00%27", "", "The request was not understood", 400),
        new("profile search for a null character", Door.Get, "/Data/Profiles?q=%00", "", "The request was not understood", 400),
        new("segment paging from a garbled cursor", Door.Get, "/Data/Segments?after=%FF%FE", "", "Segments"),

        // Files at upload.
        new("upload without a file", Door.Form, "/Data/Profiles/Import", "", "Choose a CSV file to upload.", Page: "/Data/Profiles/Import"),
        new("an empty file", Door.Upload, "empty.csv", "", "The file is empty"),
        new("a file in Latin-1, not UTF-8", Door.Upload, "latin1.csv", "latin1:email,first_name\nzoe@example.com,Zo\u00eb\n", "The file is not UTF-8 text."),
        new("a file of blank lines", Door.Upload, "blank.csv", "\n\n\n", "The file has no rows"),
        new("a binary file named .csv", Door.Upload, "image.csv", "binary", "not UTF-8"),

        // Files at import.
        new("a quote that is never closed", Door.CsvFile, "unclosed.csv", "email,first_name\nann@example.com,\"Ann\nbob@example.com,Bob\n", "is never closed"),

        // Lines of a file.
        new("a line with a malformed email", Door.CsvRow, "", "r1,not-an-email,Ann,1,2024-01-01,true", "bad email: not a valid email address"),
        new("a line with an SQL fragment for an email", Door.CsvRow, "", "r2,a@example.com'); DROP TABLE profiles;--,Ann,1,2024-01-01,true", "bad email"),
        new("a line without its external id", Door.CsvRow, "", ",nokey@example.com,Ann,1,2024-01-01,true", "missing key: the external id is empty"),
        new("a line whose number is a word", Door.CsvRow, "", "r4,r4@example.com,Ann,lots,2024-01-01,true", "'ltv' must be a number"),
        new("a line whose date is day-first", Door.CsvRow, "", "r5,r5@example.com,Ann,1,31/12/2024,true", "'joined' must be a date written YYYY-MM-DD"),
        new("a line whose date does not exist", Door.CsvRow, "", "r6,r6@example.com,Ann,1,2024-02-30,true", "'joined' must be a date written YYYY-MM-DD"),
        new("a line whose boolean is maybe", Door.CsvRow, "", "r7,r7@example.com,Ann,1,2024-01-01,maybe", "'vip' must be true or false"),
        new("a line with a 300-character first name", Door.CsvRow, "", "r8,r8@example.com,{long:300},1,2024-01-01,true", "over-long value"),
        new("a line with too few values", Door.CsvRow, "", "r9,r9@example.com", "the line has 2 values where the header has 6"),
        new("a line with a quote inside a value", Door.CsvRow, "", "r10,r10@example.com,An\"n,1,2024-01-01,true", "malformed quoting"),
        new("a line repeating an earlier key", Door.CsvRow, "", "g1,again@example.com,Ann,1,2024-01-01,true", "duplicate key: the same external id as line 2"),
        new("a line with a null character", Door.CsvRow, "", "r11,r11@example.com,An\0n,1,2024-01-01,true", "a value holds a null character"),

        // The JSON API: profiles.
        new("API batch as a form", Door.Api, "/api/profiles", "profiles=x", "Send the body as JSON (Content-Type: application/json)", 415, Page: "application/x-www-form-urlencoded"),
        new("API batch that is not JSON", Door.Api, "/api/profiles", "{", "The body is not valid JSON", 400, Page: "application/json"),
        new("API batch of JSON null", Door.Api, "/api/profiles", "null", "The body is empty or null; send a JSON object.", 400, Page: "application/json"),
        new("API batch with no profiles", Door.Api, "/api/profiles", "{\"profiles\": []}", "The batch is empty", 422, Page: "application/json"),
        new("API batch whose profiles are a string", Door.Api, "/api/profiles", "{\"profiles\": \"all of them\"}", "profiles: expected an array", 400, Page: "application/json"),
        new("API batch of 1,001 profiles", Door.Api, "/api/profiles", "{\"profiles\": [" + string.Join(",", Enumerable.Repeat("{\"email\":\"a@example.com\"}", 1001)) + "]}", "send at most 1,000", 422, Page: "application/json"),
        new("API batch nested 100 deep", Door.Api, "/api/profiles", "{\"profiles\": [{\"attributes\": {\"a\": " + string.Concat(Enumerable.Repeat("[", 100)) + string.Concat(Enumerable.Repeat("]", 100)) + "}}]}", "not valid JSON", 400, Page: "application/json"),
        new("API profile with a malformed email", Door.Api, "/api/profiles", "{\"profiles\": [{\"email\": \"nope\"}]}", "bad email", Page: "application/json"),
        new("API profile with a bad attribute name", Door.Api, "/api/profiles", "{\"profiles\": [{\"email\": \"b@example.com\", \"attributes\": {\"Shoe Size!\": 1}}]}", "attribute names use lower-case letters", Page: "application/json"),
        new("API profile with a number too large for any column", Door.Api, "/api/profiles", "{\"profiles\": [{\"email\": \"c@example.com\", \"attributes\": {\"ltv\": 1e400}}]}", "'ltv' must be a number", Page: "application/json"),
        new("API profile with a text where the attribute holds numbers", Door.Api, "/api/profiles", "{\"profiles\": [{\"email\": \"d@example.com\", \"attributes\": {\"ltv\": \"lots\"}}]}", "'ltv' must be a number", Page: "application/json"),
        new("API batch mixing items with and without external ids", Door.Api, "/api/profiles", "{\"profiles\": [{\"externalId\": \"e1\", \"email\": \"e1@example.com\"}, {\"email\": \"e2@example.com\"}]}", "missing key", Page: "application/json"),
        new("API profile with a null character", Door.Api, "/api/profiles", "{\"profiles\": [{\"email\": \"g@example.com\", \"firstName\": \"A\\u0000B\"}]}", "a value holds a null character", Page: "application/json"),
        new("API profile with a number too precise for a decimal", Door.Api, "/api/profiles", "{\"profiles\": [{\"email\": \"h@example.com\", \"attributes\": {\"ltv\": 0.1000000000000000000000000000001e-30}}]}", "\"rejected\"", Page: "application/json"),
        new("API profile with a 5,000-character first name", Door.Api, "/api/profiles", "{\"profiles\": [{\"email\": \"f@example.com\", \"firstName\": \"{long:5000}\"}]}", "over-long value", Page: "application/json"),

        // The JSON API: exports and runs.
        new("API export id that is not a number", Door.Api, "GET /api/exports/abc", "", "There is nothing at /api/exports/abc", 404),
        new("API export id past the range of numbers", Door.Api, "GET /api/exports/99999999999999999999999", "", "There is nothing at /api/exports/99999999999999999999999", 404),
        new("API export that does not exist", Door.Api, "GET /api/exports/999999999", "", "There is no export #999999999.", 404),
        new("API change to an export that does not exist", Door.Api, "PATCH /api/exports/999999999", "{\"name\": \"x\"}", "There is no export #999999999.", 404, Page: "application/json"),
        new("API run that does not exist", Door.Api, "GET /api/runs/999999999", "", "There is no run #999999999.", 404),
        new("API rows of a run with a limit of 0", Door.Api, "GET /api/runs/{run}/rows?limit=0", "", "The limit must be 1 to 1,000", 400),
        new("API runs listed after a word", Door.Api, "GET /api/exports/{export}/runs?after=yesterday", "", "after", 400),
        new("API export whose name is a number", Door.Api, "/api/exports", "{\"name\": 42}", "name: expected a string", 400, Page: "application/json"),
        new("API export whose connection is a word", Door.Api, "PATCH /api/exports/{export}", "{\"connectionId\": \"the shared one\"}", "connectionId: expected a whole number", 400, Page: "application/json"),
        new("API export whose segments are a string", Door.Api, "/api/exports", "{\"segmentIds\": \"all\"}", "segmentIds: expected an array", 400, Page: "application/json"),
        new("API export with an unknown schedule", Door.Api, "PATCH /api/exports/{export}", "{\"schedule\": \"Hourly\"}", "schedule: expected one of “SystemRefresh”, “Cron”, “OnDemand”.", 400, Page: "application/json"),
        new("API export with a misspelt field", Door.Api, "PATCH /api/exports/{export}", "{\"enabeld\": true}", "“enabeld” is not a field of this request", 400, Page: "application/json"),
        new("API export over a connection that does not exist", Door.Api, "PATCH /api/exports/{export}", "{\"connectionId\": 999999999}", "You may not use this connection", 422, Page: "application/json"),
        new("API export with no name", Door.Api, "/api/exports", "{}", "Give the export a name.", 422, Page: "application/json"),
        new("API run of a detached export", Door.Api, "/api/exports/{detached}/runs", "", "Detached: the connection “Removed connection” was removed", 409),
        new("API run that is both dry and a full resync", Door.Api, "/api/exports/{export}/runs", "{\"dryRun\": true, \"fullResync\": true}", "Choose a dry run or a full resync, not both.", 422, Page: "application/json"),
        new("API run options that are not booleans", Door.Api, "/api/exports/{export}/runs", "{\"dryRun\": \"yes\"}", "dryRun: expected true or false", 400, Page: "application/json"),
        new("API cancel of a run that has ended", Door.Api, "/api/runs/{run}/cancel", "", "This run has already finished.", 409),
        new("API cancel of a run that does not exist", Door.Api, "/api/runs/999999999/cancel", "", "This run does not exist.", 404),
    ];
}
