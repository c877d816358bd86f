namespace SegmentExport.Web.Exports;

public static class ExportsSetup
{
    /// <summary>Services for exports: the engine, the Quartz job that runs it, and run control.</summary>
    public static void AddExports(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ExportEngine>();
        builder.Services.AddSingleton<ExportRuns>();
        builder.Services.AddTransient<ExportJob>();
        builder.AddExportPages();
        builder.Services.AddHostedService<ExportScheduleReconciler>();
    }
}
