using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>
/// Mailchimp errors: <c>application/problem+json</c> with type/title/status/detail/instance, an <c>X-Request-Id</c>
/// header and a <c>Link … rel="describedBy"</c> header (provider-apis 1.8). Titles are the human-readable forms.
/// </summary>
internal static class MailchimpProblems
{
    private const string DocsType = "https://mailchimp.com/developer/marketing/docs/errors/";

    public static IResult Problem(HttpContext context, int status, string title, string detail, IReadOnlyList<object>? errors = null)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["X-Request-Id"] = requestId;
        context.Response.Headers.Link = "<https://us1.api.mailchimp.com/schema/3.0/ProblemDetailDocument.json>; rel=\"describedBy\"";
        var body = new Dictionary<string, object?>
        {
            ["type"] = DocsType,
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = requestId,
        };
        if (errors is not null)
        {
            // UNCONFIRMED (provider-apis 1.8): a field-level errors[] inside the problem document for validation failures.
            body["errors"] = errors;
        }

        return SandboxJson.Json(body, status, "application/problem+json; charset=utf-8");
    }

    public static IResult KeyMissing(HttpContext c) =>
        Problem(c, 401, "API Key Missing", "Your request did not include an API key.");

    public static IResult KeyInvalid(HttpContext c) =>
        Problem(c, 401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter.");

    public static IResult WrongDatacenter(HttpContext c, string dataCenter) =>
        Problem(c, 403, "Wrong Datacenter", $"The API key provided is linked to a different datacenter. Use '{dataCenter}'.");

    public static IResult NotFound(HttpContext c) =>
        Problem(c, 404, "Resource Not Found", "The requested resource could not be found.");

    public static IResult InvalidResource(HttpContext c, string detail, IReadOnlyList<object>? errors = null) =>
        Problem(c, 400, "Invalid Resource", detail, errors);

    public static IResult JsonParseError(HttpContext c) =>
        Problem(c, 400, "JSON Parse Error", "We encountered an unspecified JSON parsing error.");

    public static IResult TooManyRequests(HttpContext c, int limit) =>
        Problem(c, 429, "Too Many Requests", $"You have exceeded the limit of {limit} simultaneous connections.");

    public static IResult ForFault(HttpContext c, int status) => status switch
    {
        429 => TooManyRequests(c, 10),
        503 => Problem(c, 503, "Service Unavailable", "The service is temporarily unavailable. Please try again later."),
        _ => Problem(c, status, "Internal Server Error", "An unexpected internal error has occurred. Please contact Support for more information."),
    };

    public static IResult FromBody(HttpContext c, BodyProblem problem) => problem == BodyProblem.Malformed
        ? JsonParseError(c)
        : InvalidResource(c, "The resource submitted could not be validated. For field-specific details, see the 'errors' array.", [new { field = "", message = "Schema describes object, NULL found instead" }]);

    /// <summary>Per-email messages, shared by batch subscribe (in errors[]) and single-member PUT (as a 400).</summary>
    public static class Messages
    {
        public static string LooksFake(string email) => $"{email} looks fake or invalid, please enter a real email address.";

        public static string Compliance(string email) =>
            $"{email} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.";

        public static string Forgotten(string email) =>
            $"{email} was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.";

        public static string Exists(string email) => $"{email} is already a list member. Use PUT to insert or update list members.";
    }
}
