using Microsoft.EntityFrameworkCore;
using SegmentExport.Web.Data;
using SegmentExport.Web.Profiles;

namespace SegmentExport.Web.Hosting;

/// <summary>
/// Command-line work on the same configuration and database as the web app:
/// <c>import-profiles FILE [--delimiter ;] [--no-header]</c> and <c>demo-data COUNT</c>.
/// The host starts without serving pages (a loopback port nobody is told about) and without running jobs.
/// </summary>
public sealed class Cli(string command, IReadOnlyList<string> arguments)
{
    private static readonly string[] Commands = ["import-profiles", "demo-data"];

    public const string Usage = """
        Usage:
          SegmentExport.Web import-profiles FILE.csv [--delimiter ,|;|tab||] [--no-header]
          SegmentExport.Web demo-data COUNT
        Configuration (ConnectionStrings:Postgres, App:DataDirectory, ...) is read as for the web app.
        """;

    /// <summary>The command in <paramref name="args"/>, if any, and the arguments left for the host.</summary>
    public static (Cli? Cli, string[] HostArgs) Parse(string[] args)
    {
        if (args.Length == 0 || !Commands.Contains(args[0]))
        {
            return (null, args);
        }

        // The command's own arguments come first; configuration (--Section:Key=value) follows them.
        var rest = args.Skip(1).ToList();
        var firstSetting = rest.FindIndex(a => a.StartsWith("--", StringComparison.Ordinal) && (a.Contains(':', StringComparison.Ordinal) || a.Contains('=', StringComparison.Ordinal)));
        var own = firstSetting < 0 ? rest : rest.Take(firstSetting).ToList();
        return (new Cli(args[0], own), args.Skip(1 + own.Count).ToArray());
    }

    public static void Configure(WebApplicationBuilder builder)
    {
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.Configure<Quartz.QuartzHostedServiceOptions>(o => o.AutoStart = false);
    }

    public async Task<int> RunAsync(WebApplication app)
    {
        await app.StartAsync();
        try
        {
            return command switch
            {
                "import-profiles" => await ImportAsync(app.Services),
                "demo-data" => await DemoAsync(app.Services),
                _ => Fail(Usage),
            };
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private async Task<int> DemoAsync(IServiceProvider services)
    {
        if (arguments.Count != 1 || !int.TryParse(arguments[0], out var count) || count is < 1 or > 10_000_000)
        {
            return Fail("demo-data needs a count between 1 and 10,000,000, e.g. 'demo-data 100000'.");
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        await services.GetRequiredService<DemoData>().GenerateAsync(count, seed: Environment.TickCount, CancellationToken.None);
        Console.WriteLine($"Generated {count:N0} demo profiles in {started.Elapsed.TotalSeconds:N1} s.");
        return 0;
    }

    private async Task<int> ImportAsync(IServiceProvider services)
    {
        var file = arguments.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && !IsDelimiterValue(a));
        if (file is null || !File.Exists(file))
        {
            return Fail(file is null ? "import-profiles needs a CSV file." : $"There is no file at {file}.");
        }

        var delimiterIndex = arguments.ToList().IndexOf("--delimiter");
        char? delimiter = delimiterIndex >= 0 && delimiterIndex + 1 < arguments.Count
            ? (arguments[delimiterIndex + 1] == "tab" ? '\t' : arguments[delimiterIndex + 1][0])
            : null;
        bool? hasHeader = arguments.Contains("--no-header") ? false : null;

        var worker = services.GetRequiredService<ImportWorker>();
        Directory.CreateDirectory(worker.UploadFolder);
        var stored = Path.Combine(worker.UploadFolder, $"{Guid.NewGuid():N}.csv");
        File.Copy(file, stored);
        var shape = await CsvSniffer.SniffAsync(stored, delimiter, hasHeader, 10, CancellationToken.None);
        var mapping = ImportMapping.Suggest(shape.Header, shape.Preview);
        foreach (var problem in mapping.Problems())
        {
            File.Delete(stored);
            return Fail($"{problem} Name the columns email, first_name, last_name, phone, id (or external_id); other columns become attributes.");
        }

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
                CreatedByName = "command line",
                CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow(),
            };
            db.ProfileImports.Add(import);
            await db.SaveChangesAsync();
            id = import.Id;
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        await services.GetRequiredService<CsvImport>().RunAsync(id, CancellationToken.None);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var result = await db.ProfileImports.AsNoTracking().SingleAsync(i => i.Id == id);
            if (result.Status != ImportStatus.Succeeded)
            {
                return Fail(result.Error ?? "The import failed.");
            }

            Console.WriteLine($"Imported {result.FileName} in {started.Elapsed.TotalSeconds:N1} s: {result.RowsRead:N0} rows read, {result.Inserted:N0} inserted, {result.Updated:N0} updated, {result.Unchanged:N0} unchanged, {result.Rejected:N0} rejected.");
            foreach (var rejection in await db.ImportRejections.AsNoTracking().Where(r => r.ImportId == id).OrderBy(r => r.RowNumber).Take(20).ToListAsync())
            {
                Console.WriteLine($"  line {rejection.RowNumber}: {rejection.Reason}");
            }

            if (result.Rejected > 20)
            {
                Console.WriteLine($"  ... and {result.Rejected - 20:N0} more (see Data > Profiles > Import history, import #{id}).");
            }
        }

        return 0;
    }

    private bool IsDelimiterValue(string argument)
    {
        var list = arguments.ToList();
        var index = list.IndexOf(argument);
        return index > 0 && list[index - 1] == "--delimiter";
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
