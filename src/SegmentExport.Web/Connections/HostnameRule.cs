using System.Net;

namespace SegmentExport.Web.Connections;

/// <summary>
/// ActiveCampaign's REST endpoint hostname (provider-apis 2.1): a bare hostname under one of the allowed patterns.
/// The account name is its first label. Anything else (scheme, path, port, IP address, other domains) is refused
/// with a sentence saying what to fix, so the app never calls a host an admin typed by mistake or on purpose.
/// </summary>
public sealed class HostnameRule(IReadOnlyList<string> allowed, IReadOnlyList<string> sandbox, bool sandboxEnabled)
{
    public HostnameCheck Check(string? input)
    {
        var host = (input ?? "").Trim();
        if (host.Length == 0)
        {
            return Fail("Enter the account's REST endpoint hostname, for example youraccount.api-us1.com.");
        }

        if (host.Contains("://", StringComparison.Ordinal) || host.StartsWith("http:", StringComparison.OrdinalIgnoreCase) || host.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            return Fail("Enter the hostname only, without 'https://' (for example youraccount.api-us1.com).");
        }

        if (host.Contains('/', StringComparison.Ordinal) || host.Contains('\\', StringComparison.Ordinal))
        {
            return Fail("Enter the hostname only, without a path such as '/api/3'.");
        }

        if (host.Contains('?', StringComparison.Ordinal) || host.Contains('#', StringComparison.Ordinal))
        {
            return Fail("Enter the hostname only, without a query string or fragment.");
        }

        if (host.Contains('@', StringComparison.Ordinal))
        {
            return Fail("Enter the hostname only, without a user name or '@'.");
        }

        if (host.Any(char.IsWhiteSpace))
        {
            return Fail("A hostname has no spaces.");
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out _))
        {
            return Fail("An IP address is not allowed; enter the account's hostname, for example youraccount.api-us1.com.");
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            return Fail("Enter the hostname without a port (remove ':' and the number after it).");
        }

        host = host.TrimEnd('.').ToLowerInvariant();
        if (!IsHostname(host))
        {
            return Fail($"'{Shorten(host)}' is not a valid hostname: use letters, digits, hyphens and dots, like youraccount.api-us1.com.");
        }

        var label = host.Split('.')[0];
        if (Matches(host, allowed) || (sandboxEnabled && Matches(host, sandbox)))
        {
            return new HostnameCheck(host, label, null);
        }

        if (!sandboxEnabled && Matches(host, sandbox))
        {
            return Fail($"'{host}' is the sandbox's host, which is allowed only in sandbox mode (Sandbox:Enabled).");
        }

        var endings = string.Join(" or ", allowed.Select(p => p.TrimStart('*')));
        return Fail($"'{host}' is not an ActiveCampaign API host: it must end in {endings}.");
    }

    /// <summary>A pattern is a hostname, optionally with one leading <c>*.</c> label.</summary>
    public static bool IsValidPattern(string pattern)
    {
        var p = pattern?.Trim().ToLowerInvariant() ?? "";
        return p.StartsWith("*.", StringComparison.Ordinal) ? IsHostname(p[2..]) && p[2..].Contains('.', StringComparison.Ordinal) : IsHostname(p);
    }

    private static bool Matches(string host, IEnumerable<string> patterns) => patterns.Any(pattern =>
    {
        var p = pattern.Trim().ToLowerInvariant();
        if (!p.StartsWith("*.", StringComparison.Ordinal))
        {
            return string.Equals(host, p, StringComparison.Ordinal);
        }

        // Exactly one label in place of the '*': the account name, nothing nested.
        var suffix = p[1..];
        return host.EndsWith(suffix, StringComparison.Ordinal) && host.Length > suffix.Length && !host[..^suffix.Length].Contains('.', StringComparison.Ordinal);
    });

    private static bool IsHostname(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        return host.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            && label[0] != '-' && label[^1] != '-');
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    private static HostnameCheck Fail(string error) => new(null, null, error);
}

/// <param name="Host">The normalized hostname (lower case, no trailing dot) when valid.</param>
/// <param name="Account">The account name: the host's first label.</param>
/// <param name="Error">A sentence for the form when invalid.</param>
public sealed record HostnameCheck(string? Host, string? Account, string? Error)
{
    public bool IsValid => Error is null;
}
