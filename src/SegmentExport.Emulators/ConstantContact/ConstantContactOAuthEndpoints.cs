using System.Text;
using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.ConstantContact;

/// <summary>
/// The authorization server (provider-apis 3.2): authorize with PKCE, and a token endpoint taking client authentication
/// by Basic (confidential clients) or a bare <c>client_id</c> with a PKCE verifier (public clients); 1 request/second.
/// </summary>
internal static class ConstantContactOAuthEndpoints
{
    public static void Map(RouteGroupBuilder oauth, ConstantContactEmulator cc)
    {
        AuthorizeEndpoint.Map(oauth, "/authorize", new AuthorizeSettings("Constant Contact", cc.OAuth, id => cc.FindClient(id)?.ToClient(), cc.Options.AccountEmail, ' '));

        oauth.MapPost("/token", async (HttpContext context, CancellationToken ct) =>
        {
            var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(ct) : FormCollection.Empty;
            var (clientId, authenticated) = Authenticate(context.Request, form, cc);
            if (clientId is null)
            {
                return Fail(401, "invalid_client", "Client authentication failed.");
            }

            if (cc.Faults.RateLimitsEnabled && !cc.TokenRequests.TryAcquire(clientId, out _))
            {
                return Fail(429, "too_many_requests", $"The token endpoint allows {cc.Options.TokenRequestsPerSecond} request(s) per second.");
            }

            var grantType = form["grant_type"].ToString();
            TokenResult result;
            if (grantType == "authorization_code")
            {
                var verifier = form["code_verifier"].ToString();
                if (!authenticated && verifier.Length == 0)
                {
                    // A public client proves itself with PKCE; without a verifier it has no authentication at all.
                    return Fail(401, "invalid_client", "Client authentication failed.");
                }

                result = cc.OAuth.RedeemCode(form["code"].ToString(), clientId, form["redirect_uri"].ToString(), verifier.Length == 0 ? null : verifier);
            }
            else if (grantType == "refresh_token")
            {
                result = cc.OAuth.Refresh(form["refresh_token"].ToString(), clientId);
            }
            else
            {
                return Fail(400, "unsupported_grant_type", $"The grant type '{grantType}' is not supported.");
            }

            if (result.Tokens is not { } tokens)
            {
                return Fail(400, result.Error!, result.Description!);
            }

            var body = new Dictionary<string, object?>
            {
                ["token_type"] = "Bearer",
                ["expires_in"] = (int)cc.Options.AccessTokenLifetime.TotalSeconds,
                ["access_token"] = tokens.AccessToken,
                ["scope"] = string.Join(' ', tokens.Grant.Scopes),
            };
            if (tokens.RefreshToken is not null)
            {
                body["refresh_token"] = tokens.RefreshToken;
            }

            context.Response.Headers.CacheControl = "no-store";
            return SandboxJson.Json(body);
        });
    }

    /// <summary>Basic <c>client_id:client_secret</c> (provider-apis 3.2) or, for PKCE public clients, <c>client_id</c> in the form.</summary>
    private static (string? ClientId, bool Authenticated) Authenticate(HttpRequest request, IFormCollection form, ConstantContactEmulator cc)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                var id = colon < 0 ? decoded : decoded[..colon];
                var secret = colon < 0 ? "" : decoded[(colon + 1)..];
                var client = cc.FindClient(id);
                return client is not null && string.Equals(client.ClientSecret, secret, StringComparison.Ordinal) ? (id, true) : (null, false);
            }
            catch (FormatException)
            {
                return (null, false);
            }
        }

        var formId = form["client_id"].ToString();
        return cc.FindClient(formId) is not null ? (formId, false) : (null, false);
    }

    private static IResult Fail(int status, string error, string description) =>
        SandboxJson.Json(new { error, error_description = description }, status);
}
