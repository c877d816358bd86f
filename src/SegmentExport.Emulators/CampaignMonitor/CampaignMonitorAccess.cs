using System.Text;
using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.CampaignMonitor;

/// <summary>
/// API key as the Basic user name (<c>key:x</c>) or an OAuth Bearer token (provider-apis 4.2). Failures are 401 with
/// code 100 (bad key), 120/121/122 (invalid/expired/revoked token) or 50 (no credentials).
/// </summary>
internal static class CampaignMonitorAccess
{
    public static async ValueTask<object?> CheckAsync(CampaignMonitorEmulator cm, EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (!cm.KeyIsValid(UserOf(header[6..]) ?? ""))
            {
                return CampaignMonitorEmulator.Error(401, 100, "Invalid API Key");
            }
        }
        else if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var check = cm.OAuth.CheckAccess(header[7..].Trim(), out _);
            switch (check)
            {
                case TokenCheck.Valid:
                    break;
                case TokenCheck.Expired:
                    return CampaignMonitorEmulator.Error(401, 121, "Expired OAuth Token");
                case TokenCheck.Revoked:
                    return CampaignMonitorEmulator.Error(401, 122, "Revoked OAuth Token");
                default:
                    return CampaignMonitorEmulator.Error(401, 120, "Invalid OAuth Token");
            }
        }
        else
        {
            // UNCONFIRMED (provider-apis 4.6): code 50 for a request with no credentials at all.
            return CampaignMonitorEmulator.Error(401, 50, "Must supply a valid HTTP Basic Authorization header");
        }

        return await next(context);
    }

    private static string? UserOf(string encoded)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 ? decoded[..colon] : decoded;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
