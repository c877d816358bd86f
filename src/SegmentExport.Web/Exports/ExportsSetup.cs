namespace SegmentExport.Web.Exports;

public static class ExportsSetup
{
    /// <summary>Services for exports: the engine that runs them.</summary>
    public static void AddExports(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ExportEngine>();
    }
}
