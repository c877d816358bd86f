using Microsoft.Extensions.Options;
using Quartz;

namespace SegmentExport.Web.Connections;

/// <summary>Start-up validation whose messages name the setting and the bad value.</summary>
public sealed class ConnectionsOptionsValidator : IValidateOptions<ConnectionsOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var s = ConnectionsOptions.Section;
        if (options.PublicBaseUrl.Length > 0 && !IsHttpUrl(options.PublicBaseUrl))
        {
            problems.Add($"{s}:PublicBaseUrl must be an absolute http(s) URL or empty, not '{options.PublicBaseUrl}'.");
        }

        if (options.RefreshMargin < TimeSpan.Zero || options.RefreshMargin > TimeSpan.FromDays(1))
        {
            problems.Add($"{s}:RefreshMargin must be between 00:00:00 and 1.00:00:00, not {options.RefreshMargin}.");
        }

        if (options.JobRefreshWindow < TimeSpan.FromHours(1) || options.JobRefreshWindow > TimeSpan.FromDays(13))
        {
            problems.Add($"{s}:JobRefreshWindow must be between 01:00:00 and 13.00:00:00 (Campaign Monitor tokens last 14 days), not {options.JobRefreshWindow}.");
        }

        if (options.OAuthRoundTripTimeout < TimeSpan.FromMinutes(1))
        {
            problems.Add($"{s}:OAuthRoundTripTimeout must be at least 00:01:00, not {options.OAuthRoundTripTimeout}.");
        }

        if (!CronExpression.TryParse(options.HealthCheckCron, out _))
        {
            problems.Add($"{s}:HealthCheckCron must be a Quartz cron expression, not '{options.HealthCheckCron}'.");
        }

        foreach (var platform in new[] { Platforms.Mailchimp, Platforms.ConstantContact, Platforms.CampaignMonitor })
        {
            var oauth = options.OAuthFor(platform)!;
            var path = $"{s}:{Section(platform)}";
            if (!oauth.Enabled)
            {
                continue;
            }

            if (oauth.ClientSecret.Length == 0)
            {
                problems.Add($"{path}:ClientSecret must be set when {path}:ClientId is.");
            }

            // The authorize page may also be a path on this app's own address (the sandbox's consent pages).
            if (!IsHttpUrl(oauth.AuthorizeUrl) && !IsRootedPath(oauth.AuthorizeUrl))
            {
                problems.Add($"{path}:AuthorizeUrl must be an absolute http(s) URL or a path starting with '/', not '{oauth.AuthorizeUrl}'.");
            }

            if (!IsHttpUrl(oauth.TokenUrl))
            {
                problems.Add($"{path}:TokenUrl must be an absolute http(s) URL, not '{oauth.TokenUrl}'.");
            }

            var extra = platform == Platforms.Mailchimp ? ("MetadataUrl", oauth.MetadataUrl) : ("ApiBaseUrl", oauth.ApiBaseUrl);
            if (!IsHttpUrl(extra.Item2) || (extra.Item1 == "ApiBaseUrl" && !extra.Item2.EndsWith('/')))
            {
                problems.Add($"{path}:{extra.Item1} must be an absolute http(s) URL{(extra.Item1 == "ApiBaseUrl" ? " ending in '/'" : "")}, not '{extra.Item2}'.");
            }
        }

        var patterns = options.ActiveCampaign.AllowedHostPatterns.Select(p => ($"{s}:ActiveCampaign:AllowedHostPatterns", p))
            .Concat(options.ActiveCampaign.SandboxHostPatterns.Select(p => ($"{s}:ActiveCampaign:SandboxHostPatterns", p)));
        foreach (var (setting, pattern) in patterns)
        {
            if (!HostnameRule.IsValidPattern(pattern))
            {
                problems.Add($"{setting} entries must look like '*.api-us1.com' or 'host.example.com', not '{pattern}'.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static string Section(string platform) => platform switch
    {
        Platforms.Mailchimp => "Mailchimp",
        Platforms.ConstantContact => "ConstantContact",
        Platforms.CampaignMonitor => "CampaignMonitor",
        _ => "ActiveCampaign",
    };

    private static bool IsRootedPath(string value) =>
        value.StartsWith('/') && !value.StartsWith("//", StringComparison.Ordinal) && Uri.IsWellFormedUriString(value, UriKind.Relative);

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
