using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SegmentExport.Tests.Infrastructure;

/// <summary>The real app on a real (throwaway) database, one database per factory unless one is given.</summary>
public sealed class AppFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public string ConnectionString { get; } = connectionString;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "segmentexport-app-" + Guid.NewGuid().ToString("N")[..8]);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Postgres", ConnectionString);
        // Fast check-ins so cluster tests see both nodes within seconds.
        builder.UseSetting("Jobs:CheckinInterval", "00:00:01");
        builder.UseSetting("Jobs:CheckinMisfireThreshold", "00:00:05");
        // Uploads and other app files go to a folder of this factory's own.
        builder.UseSetting("App:DataDirectory", DataDirectory);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (settings is not null && settings.TryGetValue(LogCapture.SettingKey, out var capture) && capture is not null)
        {
            builder.ConfigureServices(services => LogCapture.AddTo(services, capture));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // Tests' own helper connections to this database sit idle in Npgsql's pool for minutes otherwise; over a whole
        // run they add up to the cluster's max_connections ("sorry, too many clients already").
        using (var connection = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            Npgsql.NpgsqlConnection.ClearPool(connection);
        }

        try
        {
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
