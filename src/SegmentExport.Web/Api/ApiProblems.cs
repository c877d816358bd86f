using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Api;

/// <summary>
/// Every error under <c>/api</c> is an RFC 7807 problem (application/problem+json) with a title and a sentence:
/// bare status codes from routing and authorization get one, unreadable requests get 400 with what could not be
/// read, and an unexpected exception is logged and answered with a 500 that carries a trace id, never a stack trace.
/// </summary>
public sealed class ApiProblems(RequestDelegate next, ILogger<ApiProblems> logger)
{
    public const string SignInNeeded = "Send a personal API token as “Authorization: Bearer sxp_…” (create one in Account > API tokens).";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            // Routing found nothing, or only a route for other methods: say so, rather than let the pages'
            // sign-in fallback policy (cookie only) answer 401 to a caller holding a good token.
            var endpoint = context.GetEndpoint();
            if (endpoint is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
            else if (endpoint.Metadata.Count == 0 && endpoint.DisplayName?.StartsWith("405 ", StringComparison.Ordinal) == true)
            {
                await endpoint.RequestDelegate!(context);
            }
            else
            {
                await next(context);
            }
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            // Parameters that do not parse ("after=abc") and bodies over the size limit.
            await WriteAsync(context, ex.StatusCode, "The request could not be read.", ex.Message);
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(ex, "API request {Method} {Path} failed ({TraceId})", context.Request.Method, context.Request.Path.Value, context.TraceIdentifier);
            context.Response.Clear();
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "Something went wrong on the server.",
                $"The error is logged with trace id {context.TraceIdentifier}; try again, and if it keeps happening tell your administrator that id.");
            return;
        }

        var response = context.Response;
        if (!response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
        {
            var (title, detail) = response.StatusCode switch
            {
                401 => ("Authentication required.", SignInNeeded),
                403 => ("Your role does not allow this.", RoleSentence(context.User)),
                404 => ("Not found.", $"There is nothing at {context.Request.Path}. See /openapi/v1.json for the endpoints."),
                405 => ("Method not allowed.", $"{context.Request.Method} is not supported at {context.Request.Path}. See /openapi/v1.json."),
                415 => ("Unsupported media type.", "Send the body as JSON (Content-Type: application/json)."),
                _ => ("The request failed.", $"The request ended with status {response.StatusCode}."),
            };
            await WriteAsync(context, response.StatusCode, title, detail);
        }
    }

    public static string RoleSentence(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var role = Roles.All.FirstOrDefault(user.IsInRole) ?? Roles.Viewer;
        return role == Roles.Viewer
            ? "Viewers read only; changes need a Contributor or Administrator. Ask an administrator if you need more."
            : $"This needs a role above {role}. Ask an administrator if you need more.";
    }

    public static Task WriteAsync(HttpContext context, int status, string title, string detail) =>
        Problem(status, title, detail).ExecuteAsync(context);

    public static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found.", detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Your role does not allow this.", detail);

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        Problem(StatusCodes.Status409Conflict, "Conflict.", detail, extensions);

    /// <summary>422: the request was read but breaks the rules; one or more sentences per field.</summary>
    public static IResult Invalid(IReadOnlyDictionary<string, string> errors, string title = "Some fields need fixing.") =>
        Results.ValidationProblem(errors.ToDictionary(e => e.Key, e => new[] { e.Value }), title: title,
            detail: string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value}")), statusCode: StatusCodes.Status422UnprocessableEntity);

    /// <summary>400 for a query string value that is out of range or not one of the allowed values.</summary>
    public static IResult BadParameter(string name, string sentence) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [name] = [sentence] }, title: "A query parameter is not valid.", detail: $"{name}: {sentence}");

    public static void UseApiProblems(WebApplication app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase), branch => branch.UseMiddleware<ApiProblems>());
}

/// <summary>
/// A signed-in browser's cookie rides along on cross-site requests; a bearer token never does. So unsafe API
/// calls authenticated by the cookie must carry the page's antiforgery token (header <c>RequestVerificationToken</c>),
/// while calls with an API token need none.
/// </summary>
public sealed class CookieCallsNeedAntiforgery : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            || http.User.Identity?.AuthenticationType == ApiTokenAuthentication.SchemeName)
        {
            return await next(context);
        }

        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Antiforgery token missing or invalid.",
                "Calls signed in with the browser cookie must send the page's antiforgery token in the RequestVerificationToken header. Scripts should use an API token instead (Authorization: Bearer sxp_…).");
        }

        return await next(context);
    }
}
