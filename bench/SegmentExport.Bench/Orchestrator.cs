using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SegmentExport.Destinations;
using SegmentExport.Web.Data;
using SegmentExport.Web.Database;
using SegmentExport.Web.Exports;

namespace SegmentExport.Bench;

/// <summary>
/// The default mode: a throwaway durable PostgreSQL cluster, N generated profiles in one segment, then per platform
/// the first, unchanged and 1%-changed runs and the raw pipeline (median of --repeat), a throttled run, and the
/// memory check at 100,000; then the CSV import and the segment refresh. Prints a table and writes JSON.
/// </summary>
internal sealed class Orchestrator(Arguments args)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(30);
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerOptions.Web) { WriteIndented = true };
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "segmentexport-bench-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<(string Db, long Export), long> _warmUps = [];
    private string _server = "";

    /// <summary><c>setup --server CS --name DB [--profiles N]</c>: only the database, on a server of your own (for EXPLAIN and profiling).</summary>
    public async Task<int> SetupAsync()
    {
        _server = args.Required("server");
        var db = await CreateDatabaseAsync(args.Required("name"), args.Number("profiles", 1_000_000));
        await ChildRefreshAsync(db);
        foreach (var platform in BenchPlatform.All)
        {
            await CreateMeasuredExportAsync(db, platform);
        }

        Console.WriteLine(db);
        return 0;
    }

    public async Task<int> RunAsync()
    {
        var profiles = args.Number("profiles", 1_000_000);
        var repeat = (int)args.Number("repeat", 3);
        var platforms = args.List("platforms") is { Count: > 0 } keys ? keys.Select(BenchPlatform.Find).ToList() : BenchPlatform.All.ToList();
        var throttleSeconds = args.Real("throttle-seconds", 60);
        var memoryProfiles = args.Has("no-memory-check") ? 0 : args.Number("memory-profiles", 100_000);
        var skipThrottled = args.Has("no-throttled");
        var skipData = args.Has("no-data");
        var output = args.Text("out") ?? Path.Combine(AppContext.BaseDirectory, "latest.json");

        Directory.CreateDirectory(_scratch);
        var bin = ServerBinaries.Find(null) ?? throw new InvalidOperationException(ServerBinaries.InstallAdvice);
        var cluster = new EmbeddedPostgres(new EmbeddedPostgresSettings(bin, Path.Combine(_scratch, "cluster"), Port: 0, Durable: true), NullLogger.Instance);
        _server = await cluster.StartAsync("postgres", CancellationToken.None);
        if (Environment.GetEnvironmentVariable("BENCH_PG_SLOW_MS") is { Length: > 0 } slow)
        {
            // Diagnosis: statements slower than this go to the cluster's server.log, with their plans (auto_explain).
            await ExecuteAsync(_server, $"LOAD 'auto_explain'; ALTER SYSTEM SET log_min_duration_statement = {int.Parse(slow, Inv)}; ALTER SYSTEM SET session_preload_libraries = 'auto_explain'; ALTER SYSTEM SET auto_explain.log_min_duration = {int.Parse(slow, Inv)}; SELECT pg_reload_conf()");
        }

        Log($"PostgreSQL ({bin}) started in {_scratch}; {profiles:N0} profiles, platforms {string.Join(", ", platforms.Select(p => p.Key))}, {repeat} repeats.");
        var report = new BenchReport
        {
            Date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv),
            Machine = Machine(),
            LoadAverageAtStart = LoadAverage(),
            Profiles = profiles,
            Repeat = repeat,
        };
        try
        {
            var db = await CreateDatabaseAsync("bench", profiles);
            if (!skipData)
            {
                report.Data = await DataAsync(db, profiles, repeat);
            }
            else
            {
                await ChildRefreshAsync(db);
            }

            foreach (var platform in platforms)
            {
                report.Platforms.Add(await PlatformAsync(db, platform, profiles, repeat, skipThrottled ? 0 : throttleSeconds));
                await WriteAsync(report, output);
            }

            if (memoryProfiles > 0 && memoryProfiles != profiles)
            {
                var small = await CreateDatabaseAsync("bench_small", memoryProfiles);
                await ChildRefreshAsync(small);
                foreach (var platform in platforms)
                {
                    var exportId = await CreateMeasuredExportAsync(small, platform);
                    var peaks = new List<double>();
                    for (var i = 0; i < repeat; i++)
                    {
                        await ExecuteAsync(small, $"DELETE FROM export_deliveries WHERE export_id = {exportId}");
                        await using var emulators = await StartEmulatorsAsync(platform, throttled: false, 1);
                        var first = await EngineAsync(small, platform, emulators, exportId, throttled: false, 1);
                        peaks.Add(first.PeakRssMb);
                        Log($"{platform.Key} at {memoryProfiles:N0}: first run {first.Seconds:N1} s, peak {first.PeakRssMb:N0} MB");
                    }

                    var result = report.Platforms.Single(p => p.Platform == platform.Key);
                    if (result.First is { } full)
                    {
                        result.MemoryCheck = new MemoryCheck(memoryProfiles, peaks.Max(), full.PeakRssMb, Math.Round((full.PeakRssMb / peaks.Max() - 1) * 100, 1));
                    }

                    await WriteAsync(report, output);
                }
            }

            report.LoadAverageAtEnd = LoadAverage();
            await WriteAsync(report, output);
            Console.WriteLine();
            Console.WriteLine(Table(report));
            Console.WriteLine($"JSON: {output}");
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.StopAsync(CancellationToken.None);
            if (!args.Has("keep"))
            {
                Directory.Delete(_scratch, recursive: true);
            }
        }
    }

    private async Task<PlatformResult> PlatformAsync(string db, BenchPlatform platform, long profiles, int repeat, double throttleSeconds)
    {
        var exportId = await CreateMeasuredExportAsync(db, platform);
        if (args.Has("only-throttled"))
        {
            return new PlatformResult(platform.Key) { Throttled = await ThrottledAsync(db, platform, exportId, profiles, throttleSeconds) };
        }

        var firsts = new List<Measured>();
        var seconds = new List<Measured>();
        var changed = new List<Measured>();
        var raws = new List<RawResult>();
        var rawPostgresCpu = new List<double>();
        var floors = new List<RawResult>();
        EmulatorProcess? kept = null;
        try
        {
            for (var i = 0; i < repeat; i++)
            {
                // A first run over a minute is measured once (medians are for runs under a minute); the shorter runs repeat.
                var again = i == 0 || firsts[0].Run.Seconds < 60;
                var emulators = kept;
                if (again)
                {
                    // A fresh emulator and no deliveries: every repeat's first run creates every contact.
                    if (kept is not null)
                    {
                        await kept.DisposeAsync();
                    }

                    await ExecuteAsync(db, $"DELETE FROM export_deliveries WHERE export_id = {exportId}; VACUUM ANALYZE export_deliveries");
                    emulators = kept = await StartEmulatorsAsync(platform, throttled: false, 1);
                    firsts.Add(await MeasuredAsync(db, platform, emulators, exportId));
                    Log($"{platform.Key} #{i + 1} first run: {Describe(firsts[^1])}");
                }

                seconds.Add(await MeasuredAsync(db, platform, emulators!, exportId));
                Log($"{platform.Key} #{i + 1} unchanged: {Describe(seconds[^1])}");

                // 1% of the profiles change (a different 1% each repeat), so 1% of the contacts are sent again.
                await ExecuteAsync(db, $"UPDATE profiles SET first_name = first_name || 'x', updated_at = now() WHERE id % 100 = {i + 7}");
                changed.Add(await MeasuredAsync(db, platform, emulators!, exportId));
                Log($"{platform.Key} #{i + 1} 1% changed: {Describe(changed[^1])}");

                raws.Add(await Child.RunAsync<RawResult>("raw", ["--db", db, "--platform", platform.Key, "--root", emulators!.Root.ToString(), "--segment", "1", "--warm-segment", "2",
                    "--pg-data", DataDirectory], RunTimeout));
                rawPostgresCpu.Add(raws[^1].PostgresCpuSeconds);
                Log($"{platform.Key} #{i + 1} raw pipeline: {raws[^1].Seconds:N2} s, {raws[^1].Requests:N0} requests, peak {raws[^1].PeakRssMb:N0} MB, CPU {raws[^1].CpuSeconds:N1} s (JIT {raws[^1].JitSeconds:N2} s) + PostgreSQL {rawPostgresCpu[^1]:N1} s");

                if (!args.Has("no-platform-floor"))
                {
                    // The same raw pipeline into the platform's own import endpoint of a fresh emulator (every contact
                    // created, as in the first run): the least the first run can take with the platform's stand-in on
                    // the same cores.
                    await using var fresh = await StartEmulatorsAsync(platform, throttled: false, 1);
                    floors.Add(await Child.RunAsync<RawResult>("raw", ["--db", db, "--platform", platform.Key, "--root", fresh.Root.ToString(), "--segment", "1", "--warm-segment", "2",
                        "--pg-data", DataDirectory, "--into", "platform", "--emulator-pid", fresh.ProcessId.ToString(Inv), "--cc-token", fresh.Info.ConstantContactToken], RunTimeout));
                    Log($"{platform.Key} #{i + 1} raw into the platform: {floors[^1].Seconds:N2} s, {floors[^1].Requests:N0} requests, CPU {floors[^1].CpuSeconds:N1} s + emulator {floors[^1].EmulatorCpuSeconds:N1} s + PostgreSQL {floors[^1].PostgresCpuSeconds:N1} s");
                }
            }
        }
        finally
        {
            if (kept is not null)
            {
                await kept.DisposeAsync();
            }
        }

        var first = Summary(firsts, profiles);
        var raw = Median(raws.Select(r => r.Seconds));
        var result = new PlatformResult(platform.Key)
        {
            First = first,
            Unchanged = Summary(seconds, profiles),
            Changed = Summary(changed, profiles),
            Raw = new RawSummary(raw, raws.Max(r => r.PeakRssMb), raws[0].Requests, Math.Round(first.Seconds / raw, 2), Median(raws.Select(r => r.CpuSeconds)), Math.Round(Median(rawPostgresCpu), 2),
                Median(raws.Select(r => r.JitSeconds))),
        };
        if (floors.Count > 0)
        {
            var floor = Median(floors.Select(r => r.Seconds));
            result.RawIntoPlatform = new FloorSummary(floor, Median(floors.Select(r => r.CpuSeconds)), Median(floors.Select(r => r.EmulatorCpuSeconds)),
                Median(floors.Select(r => r.PostgresCpuSeconds)), Math.Round(floor / raw, 2), Math.Round(first.Seconds / floor, 2));
        }

        if (throttleSeconds > 0)
        {
            result.Throttled = await ThrottledAsync(db, platform, exportId, profiles, throttleSeconds);
        }

        return result;
    }

    private async Task<ThrottledResult> ThrottledAsync(string db, BenchPlatform platform, long exportId, long profiles, double target)
    {
        // The factor that makes the floor for N contacts about `target` seconds of real time.
        var factor = Math.Round(platform.Throttle.FloorSeconds(platform.Throttle.EstimateRequests(profiles)) / target, 3);
        await ExecuteAsync(db, $"DELETE FROM export_deliveries WHERE export_id = {exportId}; VACUUM ANALYZE export_deliveries");
        await using var emulators = await StartEmulatorsAsync(platform, throttled: true, factor);
        var run = await EngineAsync(db, platform, emulators, exportId, throttled: true, factor);
        var emulatorCpu = run.EmulatorCpuSeconds;
        var (requests, throttled) = await emulators.CountAsync();
        var posts = await emulators.PostsAsync(platform.Throttle.EstimateRequests(profiles) > 0 ? platform.UpsertPathEnd : "");
        if (args.Text("requests-log") is { } requestsLog)
        {
            // Every request the throttled run made, as the emulator logged it: where the requests beyond the floor's go.
            await File.WriteAllTextAsync(requestsLog, await emulators.Http.GetStringAsync("_emulator/requests?take=100000"));
        }

        var floor = platform.Throttle.FloorSeconds(posts) / factor;
        var result = new ThrottledResult(platform.Throttle.Describe, factor, Math.Round(floor, 2), run.Seconds, Math.Round(floor / run.Seconds, 3), posts, requests, throttled, run.Status, run.PeakRssMb, run.CpuSeconds, Math.Round(emulatorCpu, 2));
        Log($"{platform.Key} throttled (time ×{factor}): floor {result.FloorSeconds:N1} s, achieved {run.Seconds:N1} s, ratio {result.Ratio:N2}; {posts:N0} imports, {requests:N0} requests, {throttled:N0} answered 429; {run.Status}");
        return result;
    }

    private string DataDirectory => Path.Combine(_scratch, "cluster", "data");

    private async Task<Measured> MeasuredAsync(string db, BenchPlatform platform, EmulatorProcess emulators, long exportId)
    {
        await emulators.ResetCountAsync();
        var run = await EngineAsync(db, platform, emulators, exportId, throttled: false, 1);
        var (requests, _) = await emulators.CountAsync();

        // The engine's process reads both around the measured run alone, its warm-up passes left out.
        return new Measured(run, requests, run.EmulatorCpuSeconds, run.PostgresCpuSeconds);
    }

    private sealed record Measured(EngineResult Run, long Requests, double EmulatorCpu, double PostgresCpu);

    private async Task<EngineResult> EngineAsync(string db, BenchPlatform platform, EmulatorProcess emulators, long exportId, bool throttled, double factor)
    {
        var settings = await SettingsFileAsync(platform.DestinationSettings(emulators.Root, throttled));
        List<string> arguments = ["--db", db, "--platform", platform.Key, "--root", emulators.Root.ToString(), "--cc-token", emulators.Info.ConstantContactToken,
             "--export", exportId.ToString(Inv), "--settings", settings, "--time-factor", factor.ToString(Inv),
             "--pg-data", DataDirectory, "--emulator-pid", emulators.ProcessId.ToString(Inv)];
        if (_warmUps.TryGetValue((db, exportId), out var warmUp))
        {
            // The engine as a long-lived app runs it: jitted, connected, and (throttled) with its status reads paced by
            // the imports it has seen. Under limits the warm-up's requests then leave the platform's rate windows.
            arguments.AddRange(["--warm-export", warmUp.ToString(Inv)]);
            if (!throttled)
            {
                // Until the engine's code is at its final tier, as in an app that has run exports before (throttled runs
                // are bound by the platform's limits and keep one pass: more would cost minutes of rate-limited time).
                arguments.Add("--warm-until-settled");
            }

            if (throttled && platform.Throttle.Settle > TimeSpan.Zero)
            {
                arguments.AddRange(["--settle-seconds", platform.Throttle.Settle.TotalSeconds.ToString(Inv)]);
            }
        }

        var run = await Child.RunAsync<EngineResult>("engine", arguments, RunTimeout);
        if (run.Status is not ("Succeeded" or "SucceededWithRejections"))
        {
            throw new InvalidOperationException($"The {platform.Key} run ended {run.Status}: {run.Error}");
        }

        return run;
    }

    private async Task<EmulatorProcess> StartEmulatorsAsync(BenchPlatform platform, bool throttled, double factor) =>
        await EmulatorProcess.StartAsync(await SettingsFileAsync(platform.EmulatorSettings(throttled)), factor);

    private async Task<DataSummary> DataAsync(string db, long profiles, int repeat)
    {
        var refreshes = new List<DataResult>();
        var unchanged = new List<DataResult>();
        for (var i = 0; i < repeat; i++)
        {
            await ExecuteAsync(db, "DELETE FROM segment_members WHERE segment_id = 1");
            refreshes.Add(await Child.RunAsync<DataResult>("refresh", ["--db", db, "--segment", "1"], RunTimeout));
            unchanged.Add(await Child.RunAsync<DataResult>("refresh", ["--db", db, "--segment", "1"], RunTimeout));
            Log($"segment refresh #{i + 1}: first fill {refreshes[^1].Seconds:N2} s ({refreshes[^1].Joined:N0} joined), unchanged {unchanged[^1].Seconds:N2} s");
        }

        // The same profiles as a CSV file (id, email, names, phone, two attributes), imported into an empty database.
        var csv = Path.Combine(_scratch, "profiles.csv");
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await using var writer = File.CreateText(csv);
            using var reader = await connection.BeginTextExportAsync(
                "COPY (SELECT external_id AS id, email, first_name, last_name, phone, attributes->>'ltv' AS ltv, attributes->>'country' AS country FROM profiles ORDER BY id) TO STDOUT (FORMAT CSV, HEADER)");
            await writer.WriteAsync(await reader.ReadToEndAsync());
        }

        var imports = new List<DataResult>();
        for (var i = 0; i < repeat; i++)
        {
            var target = await CreateDatabaseAsync($"bench_import_{i}", 0);
            imports.Add(await Child.RunAsync<DataResult>("import", ["--db", target, "--file", csv], RunTimeout));
            Log($"CSV import #{i + 1}: {imports[^1].Seconds:N2} s, {imports[^1].Inserted:N0} inserted, peak {imports[^1].PeakRssMb:N0} MB {imports[^1].Error}");
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(_server, $"DROP DATABASE bench_import_{i}");
        }

        File.Delete(csv);
        return new DataSummary(
            new DataFigure(Median(imports.Select(r => r.Seconds)), imports.Max(r => r.PeakRssMb), imports[0].Inserted),
            new DataFigure(Median(refreshes.Select(r => r.Seconds)), refreshes.Max(r => r.PeakRssMb), refreshes[0].Joined),
            new DataFigure(Median(unchanged.Select(r => r.Seconds)), unchanged.Max(r => r.PeakRssMb), unchanged[0].Rows));
    }

    private static async Task ChildRefreshAsync(string db)
    {
        var result = await Child.RunAsync<DataResult>("refresh", ["--db", db, "--segment", "1"], RunTimeout);
        Log($"segment filled: {result.Rows:N0} members in {result.Seconds:N1} s");
    }

    /// <summary>A migrated database with <paramref name="profiles"/> generated profiles and segment 1 matching every email (not yet refreshed).</summary>
    private async Task<string> CreateDatabaseAsync(string name, long profiles)
    {
        await ExecuteAsync(_server, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(_server) { Database = name, CommandTimeout = 0 }.ConnectionString;
        await using (var services = BenchHost.Build(connectionString, new Dictionary<string, string?>(), 1))
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.MigrateAsync();
        }

        if (profiles > 0)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await ExecuteAsync(connectionString, $"""
                INSERT INTO profiles (external_id, email, first_name, last_name, phone, attributes, created_at, updated_at)
                SELECT 'c' || n, substr(md5(n::text), 1, 8) || '.' || n || '@example.com', 'First' || n, 'Last' || n, '+1555' || lpad(n::text, 7, '0'),
                       jsonb_build_object('ltv', n % 1000, 'country', (ARRAY['de', 'fr', 'us', 'uk', 'es'])[1 + n % 5]), now(), now()
                FROM generate_series(1, {profiles}) n;
                INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE
                VALUES (1, 'Everyone with an email', '', '{"{"}"match":"all","conditions":[{"{"}"field":"email","operator":"is_not_empty"{"}"}]{"}"}', 0, now(), now());
                INSERT INTO segments (id, name, description, rules, member_count, created_at, updated_at) OVERRIDING SYSTEM VALUE
                VALUES (2, 'Bench warm-up', 'Filled by the benchmark, never refreshed', '{"{"}"match":"all","conditions":[{"{"}"field":"email","operator":"is_not_empty"{"}"}]{"}"}', 0, now(), now());
                INSERT INTO segment_members (segment_id, profile_id) SELECT 2, id FROM profiles WHERE id <= {WarmUpMembers(profiles)};
                SELECT setval(pg_get_serial_sequence('segments', 'id'), 2);
                VACUUM ANALYZE profiles;
                CHECKPOINT;
                """);
            Log($"{name}: {profiles:N0} profiles generated in {watch.Elapsed.TotalSeconds:N1} s");
        }

        return connectionString;
    }

    /// <summary>Members of the warm-up export (segment 2): enough to jit every path of a run, small beside the measured one.</summary>
    private static long WarmUpMembers(long profiles) => Math.Min(20_000, Math.Max(1, profiles / 10));

    /// <summary>The measured export (segment 1, every profile) and its warm-up export (segment 2), both into the platform's list.</summary>
    private async Task<long> CreateMeasuredExportAsync(string db, BenchPlatform platform)
    {
        var id = await CreateExportAsync(db, platform, "", 1);
        _warmUps[(db, id)] = await CreateExportAsync(db, platform, " warm-up", 2);
        return id;
    }

    private static async Task<long> CreateExportAsync(string db, BenchPlatform platform, string suffix = "", long segmentId = 1)
    {
        var mapping = new ExportMapping([new FieldMap("first_name", StandardFields.FirstName), new FieldMap("last_name", StandardFields.LastName)]).ToJson();
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO exports (name, connection_id, list_id, list_name, mapping, tags, tag_with_segment_names, leavers, schedule, enabled, created_at, updated_at)
            VALUES ($1, 1, $2, 'Newsletter', $3::jsonb, '[]', false, 'Nothing', 'OnDemand', true, now(), now()) RETURNING id
            """, connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = "bench " + platform.Key + suffix });
        insert.Parameters.Add(new NpgsqlParameter { Value = platform.ListId });
        insert.Parameters.Add(new NpgsqlParameter { Value = mapping });
        var id = (long)(await insert.ExecuteScalarAsync())!;
        await using var segment = new NpgsqlCommand($"INSERT INTO export_segments VALUES ({id}, {segmentId})", connection);
        await segment.ExecuteNonQueryAsync();
        return id;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // One statement at a time: VACUUM cannot run inside the implicit transaction of a multi-statement command.
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await using var command = new NpgsqlCommand(statement, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }
    }

    private async Task<string> SettingsFileAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var path = Path.Combine(_scratch, $"settings-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(settings));
        return path;
    }

    private static RunSummary Summary(List<Measured> runs, long profiles)
    {
        var seconds = Median(runs.Select(r => r.Run.Seconds));
        return new RunSummary(seconds, Math.Round(profiles / seconds), runs.Max(r => r.Run.PeakRssMb), (long)Median(runs.Select(r => (double)r.Requests)),
            runs[0].Run.Sent, runs[0].Run.Unchanged, runs.Select(r => r.Run.Seconds).ToList(),
            Median(runs.Select(r => r.Run.CpuSeconds)), Median(runs.Select(r => r.EmulatorCpu)), Median(runs.Select(r => r.PostgresCpu)),
            Median(runs.Select(r => r.Run.JitSeconds)));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : Math.Round((sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2, 3);
    }

    private static string Describe(Measured r) =>
        $"{r.Run.Seconds:N2} s, {r.Run.Sent:N0} sent, {r.Run.Unchanged:N0} unchanged, {r.Requests:N0} requests, peak {r.Run.PeakRssMb:N0} MB; CPU engine {r.Run.CpuSeconds:N1} s (JIT {r.Run.JitSeconds:N2} s), emulator {r.EmulatorCpu:N1} s, PostgreSQL {r.PostgresCpu:N1} s";

    private static void Log(string line) => Console.Error.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {line}");

    private static string Machine()
    {
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"') ?? "Linux"
            : Environment.OSVersion.ToString();
        var memory = File.Exists("/proc/meminfo")
            ? Math.Round(long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) / 1024.0 / 1024.0)
            : 0;
        return $"{os}, {Environment.ProcessorCount} cores, {memory} GiB";
    }

    /// <summary>1-, 5- and 15-minute load averages: above the core count, other work shared the machine.</summary>
    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";

    private static async Task WriteAsync(BenchReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, Indented));
    }

    public static string Table(BenchReport report)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Export benchmark, {report.Profiles:N0} profiles, {report.Date}, {report.Machine}; medians of {report.Repeat} runs; load average {report.LoadAverageAtStart} at the start, {report.LoadAverageAtEnd} at the end");
        s.AppendLine();
        s.AppendLine("| Platform | First run | Profiles/s | Peak memory | Requests | CPU s: engine / emulator / PostgreSQL | Unchanged | 1% changed | Raw pipeline (CPU s: raw / PostgreSQL) | Engine ÷ raw | Raw into the platform (CPU s: raw / emulator / PostgreSQL) | Its ÷ raw: the floor | Engine ÷ it | Throttled floor / achieved | Peak at 100k → 1M |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in report.Platforms.Where(p => p.First is not null))
        {
            var throttled = p.Throttled is { } t ? $"{t.FloorSeconds:N1} s / {t.AchievedSeconds:N1} s = {t.Ratio:N2}" : "–";
            var floor = p.RawIntoPlatform is { } f
                ? $"{f.Seconds:N1} s ({f.CpuSeconds:N1} / {f.EmulatorCpuSeconds:N1} / {f.PostgresCpuSeconds:N1}) | {f.OverRaw:N2} | {f.EngineOverFloor:N2}"
                : "– | – | –";
            var memory = p.MemoryCheck is { } m ? $"{m.SmallPeakMb:N0} → {m.PeakMb:N0} MB (+{m.GrowthPercent:N0}%)" : "–";
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {p.Platform} | {p.First!.Seconds:N1} s | {p.First.ProfilesPerSecond:N0} | {p.First.PeakRssMb:N0} MB | {p.First.Requests:N0} | {p.First.EngineCpuSeconds:N1} / {p.First.EmulatorCpuSeconds:N1} / {p.First.PostgresCpuSeconds:N1} | {p.Unchanged!.Seconds:N1} s | {p.Changed!.Seconds:N1} s | {p.Raw!.Seconds:N1} s ({p.Raw.CpuSeconds:N1} / {p.Raw.PostgresCpuSeconds:N1}) | {p.Raw.EngineOverRaw:N2} | {floor} | {throttled} | {memory} |");
        }

        if (report.Data is { } d)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"CSV import of {d.Import.Count:N0} rows: {d.Import.Seconds:N1} s (peak {d.Import.PeakRssMb:N0} MB). Segment refresh over {report.Profiles:N0} profiles: first fill {d.RefreshFirstFill.Seconds:N1} s, unchanged {d.RefreshUnchanged.Seconds:N1} s.");
        }

        foreach (var p in report.Platforms.Where(p => p.Throttled is not null))
        {
            var t = p.Throttled!;
            s.AppendLine(CultureInfo.InvariantCulture, $"Throttled {p.Platform}: {t.Model}; time ×{t.TimeFactor}; floor {t.FloorSeconds:N1} s, achieved {t.AchievedSeconds:N1} s, ratio {t.Ratio:N2}; {t.UpsertRequests:N0} imports, {t.Requests:N0} requests, {t.Answered429:N0} answered 429; CPU engine {t.EngineCpuSeconds:N1} s, emulator {t.EmulatorCpuSeconds:N1} s.");
        }

        return s.ToString();
    }
}

public sealed class BenchReport
{
    public string Date { get; set; } = "";
    public string Machine { get; set; } = "";
    public string LoadAverageAtStart { get; set; } = "";
    public string LoadAverageAtEnd { get; set; } = "";
    public long Profiles { get; set; }
    public int Repeat { get; set; }
    public List<PlatformResult> Platforms { get; } = [];
    public DataSummary? Data { get; set; }
}

public sealed class PlatformResult(string platform)
{
    public string Platform { get; } = platform;
    public RunSummary? First { get; set; }
    public RunSummary? Unchanged { get; set; }
    public RunSummary? Changed { get; set; }
    public RawSummary? Raw { get; set; }

    /// <summary>The raw pipeline into the platform's own endpoint (see <see cref="FloorSummary"/>).</summary>
    public FloorSummary? RawIntoPlatform { get; set; }
    public ThrottledResult? Throttled { get; set; }
    public MemoryCheck? MemoryCheck { get; set; }
}

public sealed record RunSummary(double Seconds, double ProfilesPerSecond, double PeakRssMb, long Requests, long Sent, long Unchanged, IReadOnlyList<double> AllSeconds,
    double EngineCpuSeconds, double EmulatorCpuSeconds, double PostgresCpuSeconds, double EngineJitSeconds);

public sealed record RawSummary(double Seconds, double PeakRssMb, long Requests, double EngineOverRaw, double CpuSeconds, double PostgresCpuSeconds, double JitSeconds);

/// <summary>
/// The raw pipeline sending into the platform's own import endpoint (a fresh emulator, so every contact is created)
/// and waiting for the platform to process it: the floor for the first run when the platform's stand-in shares the
/// machine, since any engine reads and writes at least what the raw pipeline does and the platform does its own work.
/// </summary>
/// <param name="OverRaw">This floor ÷ the raw pipeline into the sink: the least engine ÷ raw the machine allows.</param>
/// <param name="EngineOverFloor">The first run ÷ this floor: what the engine's own work (answers, deliveries, checkpoints) adds.</param>
public sealed record FloorSummary(double Seconds, double CpuSeconds, double EmulatorCpuSeconds, double PostgresCpuSeconds, double OverRaw, double EngineOverFloor);

public sealed record ThrottledResult(string Model, double TimeFactor, double FloorSeconds, double AchievedSeconds, double Ratio, long UpsertRequests, long Requests, long Answered429, string Status, double PeakRssMb,
    double EngineCpuSeconds, double EmulatorCpuSeconds);

public sealed record MemoryCheck(long SmallProfiles, double SmallPeakMb, double PeakMb, double GrowthPercent);

public sealed record DataFigure(double Seconds, double PeakRssMb, long Count);

public sealed record DataSummary(DataFigure Import, DataFigure RefreshFirstFill, DataFigure RefreshUnchanged);
