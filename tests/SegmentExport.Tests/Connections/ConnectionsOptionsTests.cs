using Microsoft.Extensions.Options;
using SegmentExport.Tests.Infrastructure;

namespace SegmentExport.Tests.Connections;

public sealed class ConnectionsOptionsTests(PostgresCluster postgres)
{
    [Theory]
    [InlineData("Connections:Mailchimp:ClientId", "abc", "Connections:Mailchimp:ClientSecret must be set when Connections:Mailchimp:ClientId is.")]
    [InlineData("Connections:CampaignMonitor:TokenUrl", "not a url", "Connections:CampaignMonitor:TokenUrl must be an absolute http(s) URL, not 'not a url'.")]
    [InlineData("Connections:ActiveCampaign:AllowedHostPatterns:0", "https://*.api-us1.com", "Connections:ActiveCampaign:AllowedHostPatterns entries must look like '*.api-us1.com' or 'host.example.com', not 'https://*.api-us1.com'.")]
    [InlineData("Connections:HealthCheckCron", "daily", "Connections:HealthCheckCron must be a Quartz cron expression, not 'daily'.")]
    [InlineData("Connections:PublicBaseUrl", "segments.example.com", "Connections:PublicBaseUrl must be an absolute http(s) URL or empty, not 'segments.example.com'.")]
    public async Task A_bad_connections_setting_stops_start_up_with_a_message_naming_it(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.EndsWith("TokenUrl", StringComparison.Ordinal))
        {
            settings["Connections:CampaignMonitor:ClientId"] = "1001";
            settings["Connections:CampaignMonitor:ClientSecret"] = "secret";
        }

        await using var app = new AppFactory(postgres.NewDatabase("conn-options"), settings);
        var error = Assert.Throws<OptionsValidationException>(() => app.Server);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
