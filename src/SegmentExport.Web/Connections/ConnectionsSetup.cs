using Microsoft.Extensions.Options;
using SegmentExport.Destinations;

namespace SegmentExport.Web.Connections;

public static class ConnectionsSetup
{
    /// <summary>Services for connections: credentials, OAuth, health checks, and the destination clients.</summary>
    public static void AddConnections(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddDestinations(builder.Configuration);

        services.AddOptions<ConnectionsOptions>()
            .BindConfiguration(ConnectionsOptions.Section)
            .PostConfigure<IConfiguration>(Defaults)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConnectionsOptions>, ConnectionsOptionsValidator>();

        // Token and account calls: short, not retried (a code or rotating refresh token must not be sent twice).
        services.AddHttpClient(TokenEndpoint.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<ConnectionSecrets>();
        services.AddSingleton<TokenEndpoint>();
        services.AddSingleton<OAuthRoundTrip>();
        services.AddSingleton<AccountProbe>();
        services.AddSingleton<ConnectionTokens>();
        services.AddSingleton<ConnectionAccounts>();
        services.AddSingleton<ConnectionCheck>();
        services.AddSingleton<ConnectionAuthenticator>();
        services.AddScoped<ConnectionEditor>();

        services.AddHostedService<ConnectionHealthSchedule>();
    }

    /// <summary>
    /// Empty host lists get the platform's own API domains (and the sandbox's); API bases default to the destinations'
    /// (<c>Destinations:{Platform}:BaseUrl</c>) so the sandbox needs each base URL only once.
    /// </summary>
    private static void Defaults(ConnectionsOptions options, IConfiguration configuration)
    {
        if (options.ActiveCampaign.AllowedHostPatterns.Count == 0)
        {
            options.ActiveCampaign.AllowedHostPatterns.AddRange(ActiveCampaignHostOptions.DefaultAllowed);
        }

        if (options.ActiveCampaign.SandboxHostPatterns.Count == 0)
        {
            options.ActiveCampaign.SandboxHostPatterns.AddRange(ActiveCampaignHostOptions.DefaultSandbox);
        }

        foreach (var (platform, app) in new[] { ("ConstantContact", options.ConstantContact), ("CampaignMonitor", options.CampaignMonitor) })
        {
            var own = configuration[$"{ConnectionsOptions.Section}:{platform}:{nameof(OAuthPlatformOptions.ApiBaseUrl)}"];
            var destination = configuration[$"{DestinationRegistration.SectionName}:{platform}:BaseUrl"];
            if (string.IsNullOrEmpty(own) && !string.IsNullOrEmpty(destination))
            {
                app.ApiBaseUrl = destination;
            }
        }
    }
}
