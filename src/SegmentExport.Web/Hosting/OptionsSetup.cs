namespace SegmentExport.Web.Hosting;

public static class OptionsSetup
{
    /// <summary>Options shared by several areas; each area validates its own section where it is added.</summary>
    public static void AddAppOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AppOptions>()
            .BindConfiguration(AppOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }
}
