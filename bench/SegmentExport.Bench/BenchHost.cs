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

    /// <summary>Where the resident memory is (for <c>BENCH_GC_TRACE=1</c>): anonymous, file-backed, threads.</summary>
    public static string ResidentParts()
    {
        var parts = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal) || line.StartsWith("RssAnon:", StringComparison.Ordinal)
                || line.StartsWith("RssFile:", StringComparison.Ordinal) || line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var value = line[(colon + 1)..].Trim().Split(' ')[0];
                parts.Add(line.StartsWith("Threads:", StringComparison.Ordinal)
                    ? $"threads={value}"
                    : $"{line[..colon]}={long.Parse(value, CultureInfo.InvariantCulture) >> 10}");
            }
        }

        return string.Join(' ', parts);
    }
}
