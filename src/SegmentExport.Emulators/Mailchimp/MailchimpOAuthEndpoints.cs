using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>
/// login.mailchimp.com's OAuth 2 endpoints (provider-apis 1.1, 1.2): authorize (consent page), token (authorization
/// code only: tokens never expire and there is no refresh token), and metadata (gives <c>dc</c> and <c>api_endpoint</c>).
/// </summary>
internal static class MailchimpOAuthEndpoints
{
    public static void Map(RouteGroupBuilder oauth, MailchimpEmulator mc)
    {
        AuthorizeEndpoint.Map(oauth, "/authorize", new AuthorizeSettings(
            "Mailchimp",
            mc.OAuth,
            id => mc.Options.OAuthClients.FirstOrDefault(c => string.Equals(c.ClientId, id, StringComparison.Ordinal))?.ToClient(),
            mc.Options.AccountName,
            ' '));

        oauth.MapPost("/token", async (HttpContext context, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            var clientId = form["client_id"].ToString();
            var client = mc.Options.OAuthClients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));
            if (client is null || !string.Equals(client.ClientSecret, form["client_secret"].ToString(), StringComparison.Ordinal))
            {
                return SandboxJson.Json(new { error = "invalid_client", error_description = "Invalid client_id or client_secret." }, 401);
            }

            if (!string.Equals(form["grant_type"].ToString(), "authorization_code", StringComparison.Ordinal))
            {
                return SandboxJson.Json(new { error = "unsupported_grant_type", error_description = "Only authorization_code is supported." }, 400);
            }

            var result = mc.OAuth.RedeemCode(form["code"].ToString(), clientId, form["redirect_uri"].ToString(), null);
            return result.Tokens is { } tokens
                ? SandboxJson.Json(new { access_token = tokens.AccessToken, expires_in = 0, scope = (string?)null })
                : SandboxJson.Json(new { error = result.Error, error_description = result.Description }, 400);
        });

        oauth.MapGet("/metadata", (HttpContext context) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            var token = header.StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase) || header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                ? header[(header.IndexOf(' ', StringComparison.Ordinal) + 1)..].Trim()
                : null;
            if (mc.OAuth.CheckAccess(token, out _) != TokenCheck.Valid)
            {
                // A hint, not a spec (provider-apis 1.1, Airbyte): a bad token gets 200 with an error body.
                return SandboxJson.Json(new { error = "invalid_token" });
            }

            var platformRoot = SandboxUrls.PlatformFromRequest(context, mc.Name);
            return SandboxJson.Json(new
            {
                dc = mc.Options.DataCenter,
                role = "owner",
                accountname = mc.Options.AccountName,
                user_id = 1001,
                login = new { email = mc.Options.LoginEmail, avatar = (string?)null, login_id = 1001, login_name = "sandbox-owner", login_email = mc.Options.LoginEmail },
                login_url = new Uri(platformRoot, "login").ToString(),
                api_endpoint = new Uri(platformRoot, mc.Options.DataCenter).ToString(),
            });
        });
    }
}
