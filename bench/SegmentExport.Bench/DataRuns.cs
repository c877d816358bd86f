using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SegmentExport.Web.Data;
using SegmentExport.Web.Profiles;
using SegmentExport.Web.Segments;

namespace SegmentExport.Bench;

public sealed record DataResult(double Seconds, double PeakRssMb, long Rows, long Inserted, long Joined, string? Error);

/// <summary>
/// <c>import --db CS --file F</c>: the app's CSV import of a file (what the command line and the browser run), and
/// <c>refresh --db CS --segment ID</c>: the app's segment refresh. Each prints one JSON line.
/// </summary>
internal static class DataRuns
{
    public static async Task<int> ImportAsync(Arguments args)
    {
        await using var services = BenchHost.Build(args.Required("db"), new Dictionary<string, string?>(), 1);
        var file = args.Required("file");

        // CsvImport deletes the stored file when it is done, as the app does with uploads: give it a copy.
        var stored = file + ".upload";
        File.Copy(file, stored, overwrite: true);
        var shape = await CsvSniffer.SniffAsync(stored, null, null, 10, CancellationToken.None);
        var mapping = ImportMapping.Suggest(shape.Header, shape.Preview);
        long id;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var import = new ProfileImport
            {
                FileName = Path.GetFileName(file),
                SizeBytes = new FileInfo(file).Length,
                StoredPath = stored,
                Status = ImportStatus.Queued,
                Delimiter = shape.Delimiter.ToString(),
                HasHeader = shape.HasHeader,
                Mapping = mapping.ToJson(),
                CreatedByName = "benchmark",
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.ProfileImports.Add(import);
            await db.SaveChangesAsync();
            id = import.Id;
        }

        var watch = Stopwatch.StartNew();
        await services.GetRequiredService<CsvImport>().RunAsync(id, CancellationToken.None);
        var seconds = watch.Elapsed.TotalSeconds;
        await using (var scope = services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<AppDbContext>().ProfileImports.AsNoTracking().SingleAsync(i => i.Id == id);
            Console.WriteLine(JsonSerializer.Serialize(new DataResult(Math.Round(seconds, 3), BenchHost.PeakRssMb(), result.RowsRead, result.Inserted, 0,
                result.Status == ImportStatus.Succeeded ? null : result.Error ?? result.Status.ToString())));
        }

        return 0;
    }

    public static async Task<int> RefreshAsync(Arguments args)
    {
        await using var services = BenchHost.Build(args.Required("db"), new Dictionary<string, string?>(), 1);
        await using var scope = services.CreateAsyncScope();
        var watch = Stopwatch.StartNew();
        var result = await scope.ServiceProvider.GetRequiredService<SegmentRefresher>().RefreshAsync(args.Number("segment", 1), CancellationToken.None);
        Console.WriteLine(JsonSerializer.Serialize(new DataResult(Math.Round(watch.Elapsed.TotalSeconds, 3), BenchHost.PeakRssMb(), result.MemberCount, 0, result.Joined, result.Error)));
        return 0;
    }
}
