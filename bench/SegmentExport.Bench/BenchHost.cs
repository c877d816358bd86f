using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using SegmentExport.Destinations;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;
using SegmentExport.Web.Profiles;
using SegmentExport.Web.Segments;

namespace SegmentExport.Bench;

/// <summary>
/// The services an export run, a CSV import and a segment refresh use in the app, without pages, identity or the
/// job engine: the same classes, on the same database, with the app's configuration sections.
/// </summary>
internal static class BenchHost
{
    public static ServiceProvider Build(string connectionString, IReadOnlyDictionary<string, string?> settings, double timeFactor)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("BENCH_LOG_LEVEL"), out var level) ? level : LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None));
        services.AddSingleton<TimeProvider>(timeFactor == 1 ? TimeProvider.System : new ScaledTime(timeFactor));
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddDbContext<AppDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddDestinations(configuration);
        services.AddSingleton<ExportEngine>();
        services.AddSingleton<CsvImport>();
        services.AddScoped<SegmentRefresher>();
        return services.BuildServiceProvider();
    }

    /// <summary>The highest resident set size of this process so far, in MB (VmHWM).</summary>
    public static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return Math.Round(kb / 1024.0, 1);
            }
        }

        return 0;
    }
}
