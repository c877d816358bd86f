using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SegmentExport.Destinations;
using SegmentExport.Emulators.ActiveCampaign;
using SegmentExport.Emulators.CampaignMonitor;
using SegmentExport.Emulators.Mailchimp;
using SegmentExport.Web.Data;
using SegmentExport.Web.Exports;

namespace SegmentExport.Bench;

/// <summary>What one engine run reports back to the orchestrator (one JSON line).</summary>
public sealed record EngineResult(
    double Seconds,
    double PeakRssMb,
    string Status,
    long Members,
    long Sent,
    long Created,
    long Updated,
    long Unchanged,
    long Skipped,
    long Rejected,
    long Retries,
    string? Error,
    double CpuSeconds,
    double JitSeconds,
    long JitMethods,
    double PostgresCpuSeconds,
    double EmulatorCpuSeconds);

/// <summary>
/// <c>engine --db CS --platform P --root URL --cc-token T --export ID --pg-data DIR --emulator-pid PID [--warm-export ID
/// [--warm-until-settled]] [--settings FILE] [--time-factor F]</c>: queues a run of the export and runs it with the app's
/// <see cref="ExportEngine"/> in this process, as the export job would. PostgreSQL's CPU (the cluster in DIR) and the
/// emulators' (PID) are read around the measured run alone.
/// </summary>
internal static class EngineRun
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var platform = BenchPlatform.Find(args.Required("platform"));
        var exportId = args.Number("export", 1);
        var connectionString = args.Required("db");
        await using var services = BenchHost.Build(connectionString, args.Settings(), args.Real("time-factor", 1));
        var destination = services.GetServices<IDestination>().Single(d => string.Equals(d.Description.Key, platform.Key, StringComparison.Ordinal));
        var account = platform.Key switch
        {
            "mailchimp" => new DestinationAccount("bench-mc", new ApiKeyCredentials(MailchimpOptions.DefaultApiKey)),
            "activecampaign" => new DestinationAccount("bench-ac", new ApiKeyCredentials(ActiveCampaignOptions.DefaultApiToken), "sandbox"),
            "constantcontact" => new DestinationAccount("bench-cc", new OAuthCredentials(args.Required("cc-token"))),
            _ => new DestinationAccount("bench-cm", new ApiKeyCredentials(CampaignMonitorOptions.DefaultApiKey)),
        };

        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var engine = services.GetRequiredService<ExportEngine>();
        var target = new ExportTarget(destination, account, 10_000_000, "Bench");
        if (args.Text("warm-export") is not null)
        {
            // The app's engine runs in a long-lived process that has run exports before: a small run of another export
            // (its own members, sent again each time) jits the code paths and opens the connections before the measured run.
            var warmExport = args.Number("warm-export", 2);
            if (!args.Has("warm-until-settled"))
            {
                await WarmPassAsync(engine, dataSource, target, warmExport, WarmPass.AllNew);
            }
            else
            {
                // In turn every member new, nothing changed and a tenth changed, so each of a run's paths is warm.
                await WarmUp.UntilSettledAsync("engine", pass => WarmPassAsync(engine, dataSource, target, warmExport, (WarmPass)(pass % 3)));
            }

            if (Environment.GetEnvironmentVariable("BENCH_WARM_FULL") == "1")
            {
                // Diagnosis: the whole measured export once before, its deliveries then forgotten, for the engine's CPU
                // once every code path is at its final tier (the platform then updates the contacts it created).
                await engine.RunAsync(await QueueAsync(dataSource, exportId), target, "bench", CancellationToken.None);
                await using var forgetAll = dataSource.CreateCommand($"DELETE FROM export_deliveries WHERE export_id = {exportId}");
                await forgetAll.ExecuteNonQueryAsync();
            }

            // Under limits, the warm-up's requests leave the platform's rate windows before the measured run starts.
            if (args.Text("settle-seconds") is not null)
            {
                await Task.Delay(TimeSpan.FromSeconds(args.Real("settle-seconds", 1)), services.GetRequiredService<TimeProvider>());
            }

            // The measured run's requests are counted from here.
            using var emulator = new HttpClient { BaseAddress = new Uri(args.Required("root")) };
            (await emulator.DeleteAsync("_emulator/requests")).EnsureSuccessStatusCode();
        }

        var runId = await QueueAsync(dataSource, exportId);

        // What a first call pays once (EF's model, the HTTP connection), also without a warm-up run.
        await using (var warm = services.CreateAsyncScope())
        {
            await warm.ServiceProvider.GetRequiredService<AppDbContext>().ExportRuns.AsNoTracking().Where(r => r.Id == runId).CountAsync();
        }

        if (args.Text("warm-export") is null)
        {
            // Opens the platform's connection. After a warm-up it is open already, and a call here would take one of the
            // measured run's requests under the platform's rate limit (the floor counts the one list read the run makes).
            await destination.GetListAsync(account, platform.ListId, CancellationToken.None);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (jitTime, jitMethods) = (System.Runtime.JitInfo.GetCompilationTime(), System.Runtime.JitInfo.GetCompiledMethodCount());
        var pgData = args.Required("pg-data");
        var emulatorPid = (int)args.Number("emulator-pid", 1);
        var (postgresCpu, emulatorCpu) = (CpuTime.OfServer(pgData), CpuTime.Of(emulatorPid));
        var watch = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var sampler = Environment.GetEnvironmentVariable("BENCH_GC_TRACE") == "1" ? Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var info = GC.GetGCMemoryInfo(GCKind.Any);
                var gens = string.Join(" ", info.GenerationInfo.ToArray().Select(g => (g.SizeAfterBytes >> 20).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                await Console.Error.WriteLineAsync($"gc t={watch.Elapsed.TotalSeconds:F1} rss={BenchHost.PeakRssMb()} heap={info.HeapSizeBytes >> 20} frag={info.FragmentedBytes >> 20} committed={info.TotalCommittedBytes >> 20} total={GC.GetTotalMemory(false) >> 20} gens(after)={gens} idx={info.Index} gen2count={GC.CollectionCount(2)} gen0={GC.CollectionCount(0)} {BenchHost.ResidentParts()}");
                await Task.Delay(250);
            }
        }) : Task.CompletedTask;
        using var allocations = Environment.GetEnvironmentVariable("BENCH_GC_TRACE") == "2" ? new AllocationSampler() : null;
        using var jitting = Environment.GetEnvironmentVariable("BENCH_JIT_TRACE") == "1" ? new JitSampler() : null;
        await engine.RunAsync(runId, target, "bench", CancellationToken.None);
        if (allocations is not null)
        {
            await Console.Error.WriteLineAsync(allocations.Report());
        }

        if (jitting is not null)
        {
            await Console.Error.WriteLineAsync(jitting.Report());
        }

        await sampling.CancelAsync();
        await sampler;
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var jitSeconds = (System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalSeconds;
        (postgresCpu, emulatorCpu) = (CpuTime.OfServer(pgData) - postgresCpu, CpuTime.Of(emulatorPid) - emulatorCpu);
        jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods;

        await using var scope = services.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<AppDbContext>().ExportRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
        var result = new EngineResult(Math.Round(seconds, 3), BenchHost.PeakRssMb(), run.Status.ToString(), run.Members, run.Sent, run.Created,
            run.Updated, run.Unchanged, run.Skipped, run.Rejected, run.Retries, run.Error, Math.Round(cpuSeconds, 2), Math.Round(jitSeconds, 2), jitMethods,
            Math.Round(postgresCpu, 2), Math.Round(emulatorCpu, 2));
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private enum WarmPass
    {
        AllNew,
        Unchanged,
        SomeChanged,
    }

    /// <summary>One run of the warm-up export: its deliveries forgotten first (all new), kept (nothing changed), or a tenth of their hashes altered.</summary>
    private static async Task WarmPassAsync(ExportEngine engine, NpgsqlDataSource dataSource, ExportTarget target, long warmExport, WarmPass pass)
    {
        var prepare = pass switch
        {
            WarmPass.AllNew => $"DELETE FROM export_deliveries WHERE export_id = {warmExport}",
            WarmPass.SomeChanged => $"UPDATE export_deliveries SET payload_hash = payload_hash + 1 WHERE export_id = {warmExport} AND hashtext(email_normalized) % 10 = 0",
            _ => null,
        };
        if (prepare is not null)
        {
            await using var command = dataSource.CreateCommand(prepare);
            await command.ExecuteNonQueryAsync();
        }

        await engine.RunAsync(await QueueAsync(dataSource, warmExport), target, "bench", CancellationToken.None);
    }

    private static async Task<long> QueueAsync(NpgsqlDataSource dataSource, long exportId)
    {
        await using var queue = dataSource.CreateCommand("""
            INSERT INTO export_runs (export_id, status, trigger, dry_run, full_resync, requested_by, queued_at, cancel_requested, phase,
                members, to_send, sent, created, updated, unchanged, skipped, rejected, removed, retries)
            VALUES ($1, 'Queued', 'manual', false, false, 'bench', now(), false, 'Upsert', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) RETURNING id
            """);
        queue.Parameters.Add(new NpgsqlParameter { Value = exportId });
        return (long)(await queue.ExecuteScalarAsync())!;
    }
}

/// <summary>A listener to the runtime's own events of some keywords, each event's payload read by name.</summary>
internal abstract class RuntimeEventSampler(long keywords, string eventPrefix) : System.Diagnostics.Tracing.EventListener
{
    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
    {
        // Also called from the base constructor for sources that exist already; the captured parameter is set by then
        // (captured primary-constructor parameters are assigned before the base constructor runs).
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)keywords);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith(eventPrefix, StringComparison.Ordinal) != true || eventData.Payload is not { } payload)
        {
            return;
        }

        var names = eventData.PayloadNames!;
        OnEvent(name => payload[names.IndexOf(name)]);
    }

    protected abstract void OnEvent(Func<string, object?> field);

    protected static long Number(object? value) => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// With <c>BENCH_GC_TRACE=2</c>: the runtime's allocation samples (one per 100 KB allocated) by type and heap, so what
/// fills the large-object heap can be named.
/// </summary>
internal sealed class AllocationSampler() : RuntimeEventSampler(0x1, "GCAllocationTick")
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEvent(Func<string, object?> field)
    {
        var amount = Number(field("AllocationAmount64"));
        var type = field("TypeName") as string ?? "?";
        _bytes.AddOrUpdate((Number(field("AllocationKind")) == 1 ? "LOH " : "SOH ") + type, amount, (_, total) => total + amount);
    }

    public string Report() => string.Join("\n", _bytes.OrderByDescending(p => p.Value).Take(25).Select(p => $"alloc {p.Value >> 20,6} MB {p.Key}"));
}

/// <summary>
/// With <c>BENCH_JIT_TRACE=1</c>: the methods the JIT compiled during the measured run, by optimization tier and
/// namespace, so what a warm engine still compiles can be named (JIT keyword; MethodLoadVerbose names each one).
/// </summary>
internal sealed class JitSampler() : RuntimeEventSampler(0x10, "MethodLoadVerbose")
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _methods = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _tiers = new();

    protected override void OnEvent(Func<string, object?> field)
    {
        var tier = ((Number(field("MethodFlags")) >> 7) & 0x7) switch
        {
            1 => "minopt", 2 => "optimized", 3 => "quickjitted", 4 => "optimizedtier1", 5 => "tier1-osr", 6 => "instrumented", 7 => "tier1-instr", _ => "unknown",
        };
        _tiers.AddOrUpdate(tier, 1, (_, n) => n + 1);
        _methods.AddOrUpdate($"{tier} {field("MethodNamespace") as string ?? "?"}::{field("MethodName") as string ?? "?"}", 1, (_, n) => n + 1);
    }

    public string Report() =>
        "jit tiers: " + string.Join(", ", _tiers.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")) + "\n"
        + string.Join("\n", _methods.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"jit {p.Key}"));
}
