using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace SegmentExport.Web.Connections;

/// <summary>
/// One OAuth authorization-code round trip. The <c>state</c>, the PKCE verifier and what to do on return (create a
/// connection from a draft, or reconnect one) travel in an encrypted, HttpOnly cookie bound to the signed-in user:
/// the callback accepts a code only with the same state, in the same browser, for the same user, within the timeout.
/// </summary>
public sealed class OAuthRoundTrip(IDataProtectionProvider provider, IOptions<ConnectionsOptions> options, TimeProvider clock)
{
    public const string CallbackPath = "/Admin/Connections/Callback";
    private const string CookieName = "segmentexport.oauth";
    private readonly IDataProtector _protector = provider.CreateProtector("SegmentExport.Connections.OAuthRoundTrip.v1");

    /// <summary>Sets the cookie and returns the platform's authorize URL to redirect the browser to.</summary>
    public string Begin(HttpContext context, string platform, long? connectionId, ConnectionDraft? draft)
    {
        ArgumentNullException.ThrowIfNull(context);
        var app = options.Value.OAuthFor(platform) ?? throw new ArgumentException($"'{platform}' has no OAuth.", nameof(platform));
        var state = Base64Url(RandomNumberGenerator.GetBytes(32));
        var verifier = platform == Platforms.ConstantContact ? Base64Url(RandomNumberGenerator.GetBytes(48)) : null;
        var redirectUri = RedirectUri(context);
        var pending = new PendingAuthorization(state, UserId(context.User), platform, connectionId, verifier, redirectUri, clock.GetUtcNow() + options.Value.OAuthRoundTripTimeout, draft);
        context.Response.Cookies.Append(CookieName, _protector.Protect(JsonSerializer.Serialize(pending)), new CookieOptions
        {
            HttpOnly = true,
            // Lax: the platform's redirect back is a top-level GET navigation, which Lax cookies accompany.
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/Admin/Connections",
            MaxAge = options.Value.OAuthRoundTripTimeout,
        });

        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = app.ClientId,
            ["redirect_uri"] = redirectUri,
            ["state"] = state,
        };
        if (app.Scopes.Length > 0)
        {
            query["scope"] = app.Scopes;
        }

        if (platform == Platforms.CampaignMonitor)
        {
            query["type"] = "web_server"; // provider-apis 4.2
        }

        if (verifier is not null)
        {
            // PKCE S256 (provider-apis 3.2): the challenge goes out now, the verifier only to the token endpoint.
            query["code_challenge"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            query["code_challenge_method"] = "S256";
        }

        // A rooted path (the sandbox's consent page) is on this app's own address.
        var authorize = app.AuthorizeUrl.StartsWith('/') ? PublicRoot(context) + app.AuthorizeUrl : app.AuthorizeUrl;
        return QueryHelpers.AddQueryString(authorize, query);
    }

    /// <summary>The pending authorization when the callback's state matches this user's cookie; otherwise a sentence why not.</summary>
    public (PendingAuthorization? Pending, string? Problem) Complete(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cookie = context.Request.Cookies[CookieName];
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/Admin/Connections" });
        PendingAuthorization? pending = null;
        if (cookie is not null)
        {
            try
            {
                pending = JsonSerializer.Deserialize<PendingAuthorization>(_protector.Unprotect(cookie));
            }
            catch (CryptographicException)
            {
                pending = null;
            }
        }

        var state = context.Request.Query["state"].ToString();
        if (pending is null || pending.UserId != UserId(context.User) || state.Length == 0
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(state), Encoding.ASCII.GetBytes(pending.State)))
        {
            return (null, "The sign-in answer did not match the one this browser started (its state was missing or different), so it was ignored. Start again.");
        }

        if (pending.ExpiresAt < clock.GetUtcNow())
        {
            return (null, "The sign-in with the platform took too long and has expired. Start again.");
        }

        var error = context.Request.Query["error"].ToString();
        if (error.Length > 0)
        {
            var name = Platforms.DisplayName(pending.Platform);
            return (pending, error == "access_denied"
                ? $"Access was denied at {name}, so nothing was connected. To connect, choose Allow on {name}'s page."
                : $"{name} did not authorize the connection ({error}). Try again.");
        }

        return context.Request.Query["code"].ToString().Length == 0
            ? (pending, "The platform returned without an authorization code. Try again.")
            : (pending, null);
    }

    public string RedirectUri(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PublicRoot(context) + CallbackPath;
    }

    /// <summary>The app's address as the browser sees it, without a trailing slash.</summary>
    private string PublicRoot(HttpContext context)
    {
        var configured = options.Value.PublicBaseUrl;
        return configured.Length > 0 ? configured.TrimEnd('/') : $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
    }

    private static long UserId(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : 0;

    private static string Base64Url(byte[] bytes) => WebEncoders.Base64UrlEncode(bytes);
}

/// <summary>What the callback needs; <see cref="ConnectionId"/> set for a reconnect, <see cref="Draft"/> for a new connection.</summary>
public sealed record PendingAuthorization(
    string State,
    long UserId,
    string Platform,
    long? ConnectionId,
    string? CodeVerifier,
    string RedirectUri,
    DateTimeOffset ExpiresAt,
    ConnectionDraft? Draft);

/// <summary>The wizard's answers while the browser is away at the platform.</summary>
public sealed record ConnectionDraft(string Name, bool SharedWithContributors, bool AddExportUser, int ProfileCap, string ConsentStatement);
