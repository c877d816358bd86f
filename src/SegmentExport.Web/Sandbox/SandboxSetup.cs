using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Http;
using SegmentExport.Emulators;
using SegmentExport.Emulators.ConstantContact;

namespace SegmentExport.Web.Sandbox;

/// <summary>
/// Sandbox mode (see <see cref="SandboxMode"/>): hosts the four platforms' emulators under <see cref="Prefix"/> and
/// points the destinations and the OAuth sign-ins at them, so connections, list pickers, exports and runs work without
/// real accounts. Settings given explicitly (configuration, environment, command line) win over these defaults.
/// </summary>
public static class SandboxSetup
{
    public const string Prefix = "/sandbox";

    public static void AddSandbox(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var enabled = SandboxMode.Resolve(builder.Configuration);
        builder.Services.AddSingleton(new SandboxMode(enabled));
        var defaults = new Dictionary<string, string?> { [SandboxMode.EnabledKey] = enabled ? "true" : "false" };
        if (enabled)
        {
            AddDefaults(builder.Configuration, defaults);
            builder.Services.AddSandboxEmulators(builder.Configuration);
            builder.Services.AddSingleton<SandboxAddress>();
            builder.Services.AddTransient<SandboxAddressHandler>();
            // Every HttpClient of the factory (destinations, token and account calls) may be addressed to the sandbox.
            builder.Services.ConfigureAll<HttpClientFactoryOptions>(options => options.HttpMessageHandlerBuilderActions.Add(
                handlers => handlers.AdditionalHandlers.Add(handlers.Services.GetRequiredService<SandboxAddressHandler>())));
        }

        builder.Configuration.AddInMemoryCollection(defaults);
    }

    public static void MapSandbox(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<SandboxMode>().Enabled)
        {
            return;
        }

        app.MapSandboxEmulators(Prefix)
            .AllowAnonymous()
            // The platforms answer in their own formats: the app's HTML status pages must not replace their errors.
            .AddEndpointFilter(async (context, next) =>
            {
                if (context.HttpContext.Features.Get<IStatusCodePagesFeature>() is { } pages)
                {
                    pages.Enabled = false;
                }

                return await next(context);
            });
    }

    private static void AddDefaults(ConfigurationManager configuration, Dictionary<string, string?> defaults)
    {
        var root = SandboxAddress.PlaceholderRoot.ToString();
        void Default(string key, string value)
        {
            if (string.IsNullOrEmpty(configuration[key]))
            {
                defaults[key] = value;
            }
        }

        Default("Destinations:Mailchimp:BaseUrl", root + "mailchimp/{dc}/3.0/");
        Default("Destinations:Mailchimp:OAuthMetadataUrl", root + "mailchimp/login/oauth2/metadata");
        Default("Destinations:ActiveCampaign:BaseUrl", root + "activecampaign/{account}/api/3/");
        Default("Destinations:ConstantContact:BaseUrl", root + "constantcontact/v3/");
        Default("Destinations:CampaignMonitor:BaseUrl", root + "campaignmonitor/api/v3.3/");

        // OAuth: the browser goes to the consent page on the app's own address (a rooted path); the token and account
        // calls go server to server. A platform whose client id is configured keeps its own settings.
        var oauth = new (string Platform, string ClientId, string Secret, string Authorize, string Token, string? Metadata)[]
        {
            ("Mailchimp", "sandbox-mailchimp-client", "sandbox-mailchimp-secret", "mailchimp/login/oauth2/authorize", "mailchimp/login/oauth2/token", "mailchimp/login/oauth2/metadata"),
            ("ConstantContact", ConstantContactOptions.DefaultClientId, ConstantContactOptions.DefaultClientSecret, "constantcontact/oauth2/default/v1/authorize", "constantcontact/oauth2/default/v1/token", null),
            ("CampaignMonitor", "1001", "sandbox-campaignmonitor-secret", "campaignmonitor/oauth", "campaignmonitor/oauth/token", null),
        };
        foreach (var (platform, clientId, secret, authorize, token, metadata) in oauth)
        {
            var section = $"Connections:{platform}:";
            if (!string.IsNullOrEmpty(configuration[section + "ClientId"]))
            {
                continue;
            }

            defaults[section + "ClientId"] = clientId;
            defaults[section + "ClientSecret"] = secret;
            defaults[section + "AuthorizeUrl"] = $"{Prefix}/{authorize}";
            defaults[section + "TokenUrl"] = root + token;
            if (metadata is not null)
            {
                defaults[section + "MetadataUrl"] = root + metadata;
            }
        }
    }
}
