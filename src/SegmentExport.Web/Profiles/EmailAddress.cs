namespace SegmentExport.Web.Profiles;

/// <summary>
/// The email check imports and the API apply: the shape every platform accepts (ASCII local part and
/// domain, one @, a dotted domain with a letter TLD). Stricter than RFC 5322 on purpose: the platforms
/// reject quoted local parts and IP-literal domains, so there is no point loading them.
/// </summary>
public static class EmailAddress
{
    public static bool IsValid(string email)
    {
        if (email.Length is 0 or > ProfileLimits.Email)
        {
            return false;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || at > 64)
        {
            return false;
        }

        var local = email.AsSpan(0, at);
        var domain = email.AsSpan(at + 1);
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+/=?^_`{|}~.-".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        if (domain.Length is 0 or > 255)
        {
            return false;
        }

        var labels = domain.ToString().Split('.');
        if (labels.Length < 2)
        {
            return false;
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        var tld = labels[^1];
        return tld.Length >= 2 && tld.All(char.IsAsciiLetter);
    }
}
