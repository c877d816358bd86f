using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators.ActiveCampaign;

/// <summary>
/// <c>Api-Token</c> header on the account's host (provider-apis 2.2) and the account-wide 5 requests/second limit,
/// answered with 429 and <c>Retry-After</c> plus <c>RateLimit-Limit</c>/<c>RateLimit-Remaining</c> (2.7).
/// </summary>
internal static class ActiveCampaignAccess
{
    public static async ValueTask<object?> CheckAsync(ActiveCampaignEmulator ac, EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!string.Equals(http.GetRouteValue("account") as string, ac.Options.AccountName, StringComparison.OrdinalIgnoreCase))
        {
            return SandboxJson.Json(new { message = "No Result found for account" }, 404);
        }

        var token = http.Request.Headers["Api-Token"].ToString();
        if (!ac.TokenIsValid(token))
        {
            // UNCONFIRMED (provider-apis 2.6): the answer to a bad token. 403 {"message":"Forbidden"} is the 403 shape the spec shows.
            return SandboxJson.Json(new { message = "Forbidden" }, 403);
        }

        if (ac.Faults.RateLimitsEnabled)
        {
            var account = ac.Options.AccountName;
            var allowed = ac.PerSecond.TryAcquire(account, out var retryAfter);
            http.Response.Headers["RateLimit-Limit"] = ac.Options.RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers["RateLimit-Remaining"] = ac.PerSecond.Remaining(account).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!allowed)
            {
                http.Response.Headers.RetryAfter = SandboxFilters.RetryAfterSeconds(retryAfter);
                return SandboxJson.Json(new { message = "Too Many Requests" }, 429);
            }
        }

        return await next(context);
    }
}
