using SegmentExport.Emulators.Common;
using SegmentExport.Emulators.Common.OAuth;

namespace SegmentExport.Emulators.ConstantContact;

/// <summary>
/// Bearer JWT on every <c>/v3</c> call (provider-apis 3.2), the scope a route needs, and 4 requests/second plus
/// 10,000/day per API key with 429 and error keys <c>throttled</c> / <c>quota_exceeded</c> (3.7; no Retry-After).
/// </summary>
internal static class ConstantContactAccess
{
    public const string GrantKey = "cc.grant";

    public static async ValueTask<object?> CheckAsync(ConstantContactEmulator cc, EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (cc.OAuth.CheckAccess(token, out var grant) != TokenCheck.Valid)
        {
            return ConstantContactEmulator.Error(401, "unauthorized", "The Access Token used is invalid.");
        }

        var needed = http.Request.Path.Value!.EndsWith("/account/summary", StringComparison.Ordinal) ? "account_read" : "contact_data";
        if (!grant!.Scopes.Contains(needed))
        {
            return ConstantContactEmulator.Error(403, "forbidden", $"This request requires the '{needed}' scope.");
        }

        if (cc.Faults.RateLimitsEnabled)
        {
            if (!cc.PerDay.TryAcquire(grant.ClientId, out _))
            {
                return ConstantContactEmulator.Error(429, "quota_exceeded", $"You have exceeded your daily quota of {cc.Options.RequestsPerDay} requests.");
            }

            if (!cc.PerSecond.TryAcquire(grant.ClientId, out _))
            {
                return ConstantContactEmulator.Error(429, "throttled", $"Too many requests: the limit is {cc.Options.RequestsPerSecond} per second.");
            }
        }

        http.Items[GrantKey] = grant;
        return await next(context);
    }
}
