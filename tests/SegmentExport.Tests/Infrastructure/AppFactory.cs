using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SegmentExport.Tests.Infrastructure;

/// <summary>The real app on a real (throwaway) database, one database per factory unless one is given.</summary>
public sealed class AppFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public string ConnectionString { get; } = connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Postgres", ConnectionString);
        // Fast check-ins so cluster tests see both nodes within seconds.
        builder.UseSetting("Jobs:CheckinInterval", "00:00:01");
        builder.UseSetting("Jobs:CheckinMisfireThreshold", "00:00:05");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
