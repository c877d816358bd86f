using System.Text;

namespace SegmentExport.Emulators.Mailchimp;

/// <summary>
/// Authentication and the concurrency limit for <c>/{dc}/3.0</c>: Basic with the API key as password, or
/// <c>Bearer</c>/<c>OAuth</c> with an access token (provider-apis 1.2); at most N requests in flight per credential (1.7).
/// </summary>
internal static class MailchimpAccess
{
    public static async ValueTask<object?> CheckAsync(MailchimpEmulator emulator, EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var dc = http.GetRouteValue("dc") as string ?? "";
        var header = http.Request.Headers.Authorization.ToString();
        string credential;
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var key = PasswordOf(header["Basic ".Length..]);
            if (string.IsNullOrEmpty(key))
            {
                return MailchimpProblems.KeyMissing(http);
            }

            if (!emulator.KeyIsValid(key))
            {
                return MailchimpProblems.KeyInvalid(http);
            }

            var keyDc = key[(key.LastIndexOf('-') + 1)..];
            if (!string.Equals(keyDc, dc, StringComparison.Ordinal))
            {
                return MailchimpProblems.WrongDatacenter(http, keyDc);
            }

            credential = key;
        }
        else if (TokenOf(header) is { } token)
        {
            if (emulator.OAuth.CheckAccess(token, out _) != Common.OAuth.TokenCheck.Valid)
            {
                return MailchimpProblems.KeyInvalid(http);
            }

            if (!string.Equals(dc, emulator.Options.DataCenter, StringComparison.Ordinal))
            {
                return MailchimpProblems.WrongDatacenter(http, emulator.Options.DataCenter);
            }

            credential = token;
        }
        else
        {
            return MailchimpProblems.KeyMissing(http);
        }

        if (emulator.Faults.RateLimitsEnabled)
        {
            // Held until the response has completed, so injected latency keeps the slot busy like a slow server.
            var lease = emulator.Gate.TryEnter(credential);
            if (lease is null)
            {
                return MailchimpProblems.TooManyRequests(http, emulator.Options.MaxConcurrentRequests);
            }

            http.Response.RegisterForDispose(lease);
        }

        return await next(context);
    }

    private static string? PasswordOf(string encoded)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 ? decoded[(colon + 1)..] : decoded;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? TokenOf(string header)
    {
        foreach (var scheme in new[] { "Bearer ", "OAuth " })
        {
            if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length)
            {
                return header[scheme.Length..].Trim();
            }
        }

        return null;
    }
}
