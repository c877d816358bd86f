namespace SegmentExport.Web.SystemRefresh;

public static class SystemRefreshSetup
{
    public static void AddSystemRefresh(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SystemRefreshSchedule>();
        builder.Services.AddTransient<SystemRefreshJob>();
    }
}
