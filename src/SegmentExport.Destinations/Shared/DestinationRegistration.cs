using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SegmentExport.Destinations.ActiveCampaign;
using SegmentExport.Destinations.CampaignMonitor;
using SegmentExport.Destinations.ConstantContact;
using SegmentExport.Destinations.Mailchimp;

namespace SegmentExport.Destinations;

/// <summary><c>services.AddDestinations(configuration)</c>: every platform, its options from <c>Destinations:{Platform}</c>.</summary>
public static class DestinationRegistration
{
    public const string SectionName = "Destinations";

    public static IServiceCollection AddDestinations(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AccountLimiters>();

        // One line per platform: a fifth platform is its folder plus one line here.
        services.AddDestination<MailchimpDestination, MailchimpSettings>(section, MailchimpDestination.Section);
        services.AddDestination<ActiveCampaignDestination, ActiveCampaignSettings>(section, ActiveCampaignDestination.Section);
        services.AddDestination<ConstantContactDestination, ConstantContactSettings>(section, ConstantContactDestination.Section);
        services.AddDestination<CampaignMonitorDestination, CampaignMonitorSettings>(section, CampaignMonitorDestination.Section);
        return services;
    }

    /// <summary>
    /// Registers one platform: its settings (section <c>Destinations:{sectionName}</c>, validated at start-up), its
    /// named HttpClient (resilience, then the account limiters, per attempt) and the destination as a singleton.
    /// </summary>
    public static IServiceCollection AddDestination<TDestination, TSettings>(this IServiceCollection services, IConfigurationSection destinationsSection, string sectionName)
        where TDestination : class, IDestination
        where TSettings : DestinationSettings, new()
    {
        ArgumentNullException.ThrowIfNull(destinationsSection);
        var path = $"{SectionName}:{sectionName}";
        services.AddOptions<TSettings>().Bind(destinationsSection.GetSection(sectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TSettings>>(new SettingsValidator<TSettings>(path));
        services.AddHttpClient(ClientName(sectionName), client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(sp => new ResilienceHandler(
                sectionName,
                sp.GetRequiredService<IOptions<TSettings>>().Value.Retry,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<ResilienceHandler>()))
            .AddHttpMessageHandler(sp => new LimiterHandler(sp.GetRequiredService<AccountLimiters>(), sectionName, sp.GetRequiredService<IOptions<TSettings>>().Value));
        services.AddSingleton<TDestination>();
        services.AddSingleton<IDestination>(sp => sp.GetRequiredService<TDestination>());
        return services;
    }

    public static string ClientName(string sectionName) => "SegmentExport.Destinations." + sectionName;
}

/// <summary>Start-up validation whose messages name the full setting path and the bad value.</summary>
internal sealed class SettingsValidator<TSettings>(string path) : IValidateOptions<TSettings>
    where TSettings : DestinationSettings
{
    public ValidateOptionsResult Validate(string? name, TSettings options)
    {
        var problems = options.Validate().Select(p => $"{path}:{p.Setting} {p.Problem}.").ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
