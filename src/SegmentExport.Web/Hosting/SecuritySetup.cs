using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using SegmentExport.Web.Connections;
using SegmentExport.Web.Identity;

namespace SegmentExport.Web.Hosting;

/// <summary>
/// Response headers every answer carries (pages, files, API, errors), and the forwarded-headers rule that lets a
/// trusted reverse proxy say the request came over https (so cookies are Secure).
/// </summary>
public static class SecuritySetup
{
    public static void AddSecurityHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<SecurityOptions>>((forwarded, security) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Loopback proxies are trusted by default; the setting adds others.
            foreach (var entry in security.Value.TrustedProxies)
            {
                if (SecurityOptions.TryParseProxy(entry, out var address, out var network))
                {
                    if (address is not null)
                    {
                        forwarded.KnownProxies.Add(address);
                    }
                    else
                    {
                        forwarded.KnownIPNetworks.Add(network!.Value);
                    }
                }
            }
        });
        builder.Services.AddSingleton<SecurityHeaders>();
    }

    /// <summary>First in the pipeline, so even static files and error pages carry the headers.</summary>
    public static void UseSecurityHeaders(this WebApplication app)
    {
        app.UseForwardedHeaders();
        var headers = app.Services.GetRequiredService<SecurityHeaders>();
        app.Use((context, next) =>
        {
            // OnStarting: set after everything else (the exception handler clears headers; antiforgery adds SAMEORIGIN).
            context.Response.OnStarting(() =>
            {
                headers.Apply(context.Response.Headers);
                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}

/// <summary>Refuses query strings PostgreSQL could never store or compare (a null character), with 400 rather than a failed query.</summary>
public static class MalformedInput
{
    /// <summary>After the status-code pages, so the 400 gets the "Bad request" page.</summary>
    public static void UseMalformedInputCheck(this WebApplication app) => app.Use((context, next) =>
    {
        if (context.Request.QueryString.HasValue && context.Request.Query.Any(q => q.Key.Contains('\0', StringComparison.Ordinal) || q.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true)))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Task.CompletedTask;
        }

        return next(context);
    });
}

/// <summary>The header values, computed once from the configuration.</summary>
public sealed class SecurityHeaders(IOptions<ConnectionsOptions> connections)
{
    private readonly string _policy = Policy(connections.Value);

    /// <summary>
    /// Scripts only from our own files (no inline script, no eval); JSON data blocks are not scripts. Styles allow inline
    /// <c>style</c> attributes (progress bars). Forms may post here and be redirected to the OAuth platforms' sign-in pages.
    /// Nobody may frame the app.
    /// </summary>
    public static string Policy(ConnectionsOptions connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        var oauth = new[] { connections.Mailchimp, connections.ConstantContact, connections.CampaignMonitor }
            .Select(o => Uri.TryCreate(o.AuthorizeUrl, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null)
            .OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase);
        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self' " + string.Join(' ', oauth),
            "frame-ancestors 'none'");
    }

    public void Apply(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.ContentSecurityPolicy = _policy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
    }
}
