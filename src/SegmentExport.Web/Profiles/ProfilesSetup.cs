namespace SegmentExport.Web.Profiles;

public static class ProfilesSetup
{
    /// <summary>Services for profiles: CSV import, the JSON API and the demo data generator.</summary>
    public static void AddProfiles(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>()
            .BindConfiguration(DemoOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<CsvImport>();
        builder.Services.AddSingleton<DemoData>();
        builder.Services.AddSingleton<ImportWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ImportWorker>());
        builder.Services.AddHostedService<DemoSeeder>();
    }
}
