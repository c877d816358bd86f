using System.Net;

namespace SegmentExport.Emulators.Common.OAuth;

/// <summary>Describes one platform's authorize step for <see cref="AuthorizeEndpoint"/>.</summary>
public sealed record AuthorizeSettings(
    string PlatformDisplayName,
    OAuthServer Server,
    Func<string?, OAuthClient?> FindClient,
    string Account,
    char ScopeSeparator);

/// <summary>
/// The browser step of the authorization-code flow, alike on all three OAuth platforms: GET shows a consent page with
/// an "Allow" button, POST (the same URL, so the query string travels along) redirects back with a code.
/// </summary>
public static class AuthorizeEndpoint
{
    public static void Map(RouteGroupBuilder group, string pattern, AuthorizeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(settings);
        group.MapGet(pattern, (HttpContext context) => ShowConsent(context, settings));
        group.MapPost(pattern, async (HttpContext context, CancellationToken cancellationToken) =>
        {
            var form = await context.Request.ReadFormAsync(cancellationToken);
            return Decide(context, settings, form["decision"].ToString());
        });
    }

    private static IResult ShowConsent(HttpContext context, AuthorizeSettings settings)
    {
        var query = context.Request.Query;
        if (Refusal(query, settings) is { } refusal)
        {
            return refusal;
        }

        var scope = query["scope"].ToString();
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Authorize - {{Encode(settings.PlatformDisplayName)}} sandbox</title>
            <style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto}button{font-size:1.1rem;padding:.5rem 1.5rem;margin-right:1rem}</style></head>
            <body>
            <h1>{{Encode(settings.PlatformDisplayName)}} sandbox</h1>
            <p>The application <strong>{{Encode(query["client_id"].ToString())}}</strong> asks to access the sandbox account
            <strong>{{Encode(settings.Account)}}</strong>{{(scope.Length > 0 ? $" with the scopes <code>{Encode(scope)}</code>" : "")}}.</p>
            <form method="post">
            <button type="submit" name="decision" value="allow" id="allow">Allow</button>
            <button type="submit" name="decision" value="deny" id="deny">Deny</button>
            </form>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static IResult Decide(HttpContext context, AuthorizeSettings settings, string decision)
    {
        var query = context.Request.Query;
        if (Refusal(query, settings) is { } refusal)
        {
            return refusal;
        }

        var redirectUri = query["redirect_uri"].ToString();
        var state = query["state"].ToString();
        if (!string.Equals(decision, "allow", StringComparison.Ordinal))
        {
            return Results.Redirect(Append(redirectUri, ("error", "access_denied"), ("state", state)));
        }

        var scopes = query["scope"].ToString()
            .Split(settings.ScopeSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var grant = new OAuthGrant(query["client_id"].ToString(), scopes, settings.Account);
        var code = settings.Server.IssueCode(grant, redirectUri, NullIfEmpty(query["code_challenge"]), NullIfEmpty(query["code_challenge_method"]));
        return Results.Redirect(Append(redirectUri, ("code", code), ("state", state)));
    }

    /// <summary>An unknown client or unregistered redirect URI is shown to the user, never redirected to (RFC 6749 4.1.2.1).</summary>
    private static IResult? Refusal(IQueryCollection query, AuthorizeSettings settings)
    {
        var client = settings.FindClient(query["client_id"].ToString());
        if (client is null)
        {
            return Results.Content("<!DOCTYPE html><p>Unknown client_id.</p>", "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        return client.AllowsRedirect(query["redirect_uri"].ToString())
            ? null
            : Results.Content("<!DOCTYPE html><p>The redirect_uri is missing or not registered for this client.</p>", "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
    }

    private static string Append(string uri, params (string Key, string Value)[] parameters)
    {
        var pairs = parameters.Where(p => p.Value.Length > 0).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}");
        return uri + (uri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', pairs);
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 || value[0]!.Length == 0 ? null : value[0];

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
