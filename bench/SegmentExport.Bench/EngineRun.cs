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
    double CpuSeconds);

/// <summary>
/// <c>engine --db CS --platform P --root URL --cc-token T --export ID [--warm-export ID] [--settings FILE] [--time-factor F]</c>: queues a
/// run of the export and runs it with the app's <see cref="ExportEngine"/> in this process, as the export job would.
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
            await using (var forget = dataSource.CreateCommand($"DELETE FROM export_deliveries WHERE export_id = {warmExport}"))
            {
                await forget.ExecuteNonQueryAsync();
            }

            await engine.RunAsync(await QueueAsync(dataSource, warmExport), target, "bench", CancellationToken.None);

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
        var watch = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var sampler = Environment.GetEnvironmentVariable("BENCH_GC_TRACE") == "1" ? Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var info = GC.GetGCMemoryInfo(GCKind.Any);
                var gens = string.Join(" ", info.GenerationInfo.ToArray().Select(g => (g.SizeAfterBytes >> 20).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                await Console.Error.WriteLineAsync($"gc t={watch.Elapsed.TotalSeconds:F1} rss={BenchHost.PeakRssMb()} heap={info.HeapSizeBytes >> 20} frag={info.FragmentedBytes >> 20} committed={info.TotalCommittedBytes >> 20} total={GC.GetTotalMemory(false) >> 20} gens(after)={gens} idx={info.Index} gen2count={GC.CollectionCount(2)} gen0={GC.CollectionCount(0)}");
                await Task.Delay(250);
            }
        }) : Task.CompletedTask;
        using var allocations = Environment.GetEnvironmentVariable("BENCH_GC_TRACE") == "2" ? new AllocationSampler() : null;
        await engine.RunAsync(runId, target, "bench", CancellationToken.None);
        if (allocations is not null)
        {
            await Console.Error.WriteLineAsync(allocations.Report());
        }

        await sampling.CancelAsync();
        await sampler;
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        await using var scope = services.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<AppDbContext>().ExportRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
        var result = new EngineResult(Math.Round(seconds, 3), BenchHost.PeakRssMb(), run.Status.ToString(), run.Members, run.Sent, run.Created,
            run.Updated, run.Unchanged, run.Skipped, run.Rejected, run.Retries, run.Error, Math.Round(cpuSeconds, 2));
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
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

/// <summary>
/// With <c>BENCH_GC_TRACE=2</c>: the runtime's allocation samples (one per 100 KB allocated) by type and heap, so what
/// fills the large-object heap can be named.
/// </summary>
internal sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.Payload is null)
        {
            return;
        }

        var names = eventData.PayloadNames!;
        var kind = Convert.ToInt32(eventData.Payload[names.IndexOf("AllocationKind")], System.Globalization.CultureInfo.InvariantCulture);
        var amount = Convert.ToInt64(eventData.Payload[names.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        var type = eventData.Payload[names.IndexOf("TypeName")] as string ?? "?";
        _bytes.AddOrUpdate((kind == 1 ? "LOH " : "SOH ") + type, amount, (_, total) => total + amount);
    }

    public string Report() => string.Join("\n", _bytes.OrderByDescending(p => p.Value).Take(25).Select(p => $"alloc {p.Value >> 20,6} MB {p.Key}"));
}
