namespace SegmentExport.Emulators.Common;

/// <summary>
/// Email checks shared by the emulators. <see cref="LooksLikeEmail"/> is the coarse up-front syntax check
/// (ActiveCampaign rejects a whole import on it, provider-apis 2.9); <see cref="IsDeliverable"/> is the stricter check
/// platforms apply per row (Mailchimp "looks fake or invalid", ActiveCampaign <c>failure[]</c>,
/// Constant Contact correctable rows, Campaign Monitor code 1).
/// </summary>
public static class EmailRules
{
    public static bool LooksLikeEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return false;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at >= email.Length - 1 || email.IndexOf('@', at + 1) >= 0)
        {
            return false;
        }

        foreach (var c in email)
        {
            // Printable ASCII is never white space; anything else asks char.IsWhiteSpace (Unicode white space).
            if (c is <= ' ' or >= '\u007f' && char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsDeliverable(string? email)
    {
        if (!LooksLikeEmail(email))
        {
            return false;
        }

        var at = email!.IndexOf('@', StringComparison.Ordinal);
        var local = email.AsSpan(0, at);
        var domain = email.AsSpan(at + 1);
        var lastDot = domain.LastIndexOf('.');
        if (lastDot <= 0 || domain.Length - lastDot - 1 < 2 || local.StartsWith(".") || local.EndsWith("."))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-'))
            {
                return false;
            }
        }

        foreach (var c in domain)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
