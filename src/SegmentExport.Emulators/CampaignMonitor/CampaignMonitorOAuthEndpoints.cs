using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.CampaignMonitor;

/// <summary>
/// <c>/oauth</c> (consent page, <c>type=web_server</c>) and <c>/oauth/token</c> (form-encoded authorization_code with
/// client_id and client_secret, or refresh_token), answering <c>{access_token, expires_in, refresh_token}</c> (provider-apis 4.2).
/// </summary>
internal static class CampaignMonitorOAuthEndpoints
{
    public static void Map(RouteGroupBuilder group, CampaignMonitorEmulator cm)
    {
        AuthorizeEndpoint.Map(group, "/oauth", new AuthorizeSettings(
            "Campaign Monitor",
            cm.OAuth,
            id => cm.Options.OAuthClients.FirstOrDefault(c => string.Equals(c.ClientId, id, StringComparison.Ordinal))?.ToClient(),
            cm.Options.ClientName,
            ','));

        group.MapPost("/oauth/token", async (HttpContext context, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            var clientId = form["client_id"].ToString();
            var grantType = form["grant_type"].ToString();
            TokenResult result;
            if (grantType == "authorization_code")
            {
                var client = cm.Options.OAuthClients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));
                if (client is null || !string.Equals(client.ClientSecret, form["client_secret"].ToString(), StringComparison.Ordinal))
                {
                    return SandboxJson.Json(new { error = "invalid_client", error_description = "Invalid client_id or client_secret" }, 400);
                }

                result = cm.OAuth.RedeemCode(form["code"].ToString(), clientId, form["redirect_uri"].ToString(), null);
            }
            else if (grantType == "refresh_token")
            {
                // The SDKs send only the refresh token; the client is the one it was issued to.
                var owner = cm.Options.OAuthClients.Select(c => c.ClientId).FirstOrDefault(id => string.IsNullOrEmpty(clientId) || id == clientId) ?? "";
                result = cm.OAuth.Refresh(form["refresh_token"].ToString(), owner);
            }
            else
            {
                return SandboxJson.Json(new { error = "unsupported_grant_type", error_description = $"Unsupported grant_type '{grantType}'" }, 400);
            }

            return result.Tokens is { } tokens
                ? SandboxJson.Json(new { access_token = tokens.AccessToken, expires_in = (int)cm.Options.AccessTokenLifetime.TotalSeconds, refresh_token = tokens.RefreshToken })
                : SandboxJson.Json(new { error = result.Error, error_description = result.Description }, 400);
        });
    }
}
