using Microsoft.Extensions.DependencyInjection.Extensions;
using SegmentExport.Emulators.ActiveCampaign;
using SegmentExport.Emulators.CampaignMonitor;
using SegmentExport.Emulators.ConstantContact;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Emulators.Common;

namespace SegmentExport.Emulators;

/// <summary>Hosts the emulators in any ASP.NET Core app: <c>services.AddSandboxEmulators(config)</c> + <c>app.MapSandboxEmulators()</c>.</summary>
public static class SandboxHosting
{
    /// <summary>The configuration section; each platform reads <c>Sandbox:{Platform}</c>.</summary>
    public const string SectionName = "Sandbox";

    public static IServiceCollection AddSandboxEmulators(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        services.AddOptions<SandboxOptions>()
            .Bind(section)
            .Validate(o => o.RequestLogCapacity > 0, "Sandbox.RequestLogCapacity must be at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RequestLog>();
        services.TryAddSingleton<BackgroundWork>();

        // One line per platform: a fifth platform is its folder plus one line here.
        services.AddSandboxPlatform<MailchimpEmulator, MailchimpOptions>(section, "Mailchimp");
        services.AddSandboxPlatform<ActiveCampaignEmulator, ActiveCampaignOptions>(section, "ActiveCampaign");
        services.AddSandboxPlatform<ConstantContactEmulator, ConstantContactOptions>(section, "ConstantContact");
        services.AddSandboxPlatform<CampaignMonitorEmulator, CampaignMonitorOptions>(section, "CampaignMonitor");
        return services;
    }

    /// <summary>Registers one platform with its options section <c>Sandbox:{sectionName}</c>, validated at start-up.</summary>
    public static IServiceCollection AddSandboxPlatform<TPlatform, TOptions>(this IServiceCollection services, IConfigurationSection sandboxSection, string sectionName)
        where TPlatform : class, ISandboxPlatform
        where TOptions : PlatformOptions
    {
        ArgumentNullException.ThrowIfNull(sandboxSection);
        services.AddOptions<TOptions>()
            .Bind(sandboxSection.GetSection(sectionName))
            .PostConfigure(o => o.ApplyDefaults())
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, PlatformOptionsValidator<TOptions>>();
        services.AddSingleton<TPlatform>();
        services.AddSingleton<ISandboxPlatform>(sp => sp.GetRequiredService<TPlatform>());
        return services;
    }

    /// <summary>
    /// Maps the root page, <c>/_emulator/...</c> and each platform under <c>{prefix}/{platform}</c>. Every platform's
    /// endpoints are wrapped with the request log and its fault injection.
    /// </summary>
    public static RouteGroupBuilder MapSandboxEmulators(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var platforms = services.GetServices<ISandboxPlatform>().ToList();
        var log = services.GetRequiredService<RequestLog>();
        var time = services.GetRequiredService<TimeProvider>();

        var root = endpoints.MapGroup(prefix);
        root.MapGet("/", (HttpContext context) => RootPage.Render(platforms, SandboxUrls.Root(context, prefix)));
        ControlEndpoints.Map(root.MapGroup("/_emulator"), platforms, log, prefix);
        foreach (var platform in platforms)
        {
            var group = root.MapGroup("/" + platform.Name);
            group.AddEndpointFilterFactory((context, next) => SandboxFilters.RequestLog(context, next, log, platform.Name, time));
            group.AddEndpointFilterFactory((context, next) => SandboxFilters.Faults(context, next, platform, time));
            platform.MapEndpoints(group);
        }

        return root;
    }
}

/// <summary>Absolute URLs from the request, so links work behind any host, port and path base.</summary>
internal static class SandboxUrls
{
    public static Uri Root(HttpContext context, string prefix)
    {
        var request = context.Request;
        return new Uri($"{request.Scheme}://{request.Host}{request.PathBase}{prefix.TrimEnd('/')}/");
    }

    public static Uri Platform(Uri root, string name) => new(root, name + "/");

    /// <summary>The platform root for a request already inside <c>{prefix}/{platform}/...</c>.</summary>
    public static Uri PlatformFromRequest(HttpContext context, string platformName)
    {
        var request = context.Request;
        var path = request.PathBase + request.Path;
        var marker = "/" + platformName + "/";
        var value = path.Value ?? "";
        var at = value.IndexOf(marker, StringComparison.Ordinal);
        var before = at >= 0 ? value[..at] : "";
        return new Uri($"{request.Scheme}://{request.Host}{before}/{platformName}/");
    }
}
