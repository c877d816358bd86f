using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace SegmentExport.Bench;

/// <summary>Runs this program again in another mode, in its own process, and reads the JSON line it prints last.</summary>
internal static class Child
{
    private const string EnginePrefix = "BENCH_ENGINE_";
    public const string EmulatorPrefix = "BENCH_EMULATOR_";

    private static string Self => typeof(Child).Assembly.Location;

    /// <summary>Sets <c>VAR</c> in the child's environment for each <c>{prefix}VAR</c> in this process's.</summary>
    public static void PassThrough(ProcessStartInfo info, string prefix)
    {
        foreach (var (name, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => ((string)e.Key, (string?)e.Value)).Where(e => e.Item1.StartsWith(prefix, StringComparison.Ordinal)))
        {
            info.Environment[name[prefix.Length..]] = value;
        }
    }

    public static ProcessStartInfo StartInfo(string mode, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(Self);
        info.ArgumentList.Add(mode);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Runs a mode to its end; its standard error passes through, its last JSON line is the result.</summary>
    public static async Task<T> RunAsync<T>(string mode, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = StartInfo(mode, args);
        if (mode == "engine")
        {
            // BENCH_ENGINE_DOTNET_GCgen0size=... sets DOTNET_GCgen0size for the engine's process alone (runtime
            // experiments), not for the emulators or PostgreSQL beside it.
            PassThrough(info, EnginePrefix);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start the {mode} process.");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                output.AppendLine(line);
                if (!line.StartsWith('{'))
                {
                    Console.Error.WriteLine($"  [{mode}] {line}");
                }
            }
        });
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The {mode} run did not finish within {timeout.TotalMinutes:N0} minutes and was stopped.");
        }

        await reading;
        var json = output.ToString().Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || json is null)
        {
            throw new InvalidOperationException($"The {mode} run failed (exit code {process.ExitCode}).");
        }

        return JsonSerializer.Deserialize<T>(json)!;
    }
}

/// <summary>The emulators in their own process for one series of runs; disposing closes its input and waits for it.</summary>
internal sealed class EmulatorProcess : IAsyncDisposable
{
    private readonly Process _process;

    private EmulatorProcess(Process process, EmulatorInfo info)
    {
        _process = process;
        Info = info;
        Root = new Uri(info.Root);
        Http = new HttpClient { BaseAddress = Root };
    }

    public EmulatorInfo Info { get; }

    /// <summary>CPU seconds the emulators used so far.</summary>
    public double CpuSeconds => CpuTime.Of(_process.Id);

    public int ProcessId => _process.Id;

    public Uri Root { get; }

    public HttpClient Http { get; }

    public static async Task<EmulatorProcess> StartAsync(string settingsFile, double timeFactor)
    {
        var info = Child.StartInfo("emulators", ["--settings", settingsFile, "--time-factor", timeFactor.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        // The emulators stand in for the platforms' own long-running servers: a fresh process re-jitting some 4,500
        // methods with dynamic PGO spent 1-3 CPU-s of each first run on that, taken from the engine on the same cores.
        info.Environment["DOTNET_TieredPGO"] = "0";
        // The app's workstation GC (this program's setting) would cost the emulators 2-3 CPU-s per million contacts
        // more than the server GC a platform's servers would run.
        info.Environment["DOTNET_gcServer"] = "1";
        // A platform's store keeps every contact it was sent (a million long-lived objects and more); with the server
        // GC's defaults, collections were over half the emulators' CPU in a Constant Contact first run (perf, 2026-11-23):
        // a 256 MB young generation (fewer collections, each promoting what the store keeps anyway) and blocking full
        // collections (no background marking beside the work): interleaved first runs of a million, Constant Contact's
        // emulator 4.3-5.7 CPU-s against 5.7-6.1, Mailchimp's 4.6-4.7 against 4.8-5.2.
        info.Environment["DOTNET_GCgen0size"] = "0x10000000";
        info.Environment["DOTNET_gcConcurrent"] = "0";
        // Not the app's 4 MB young-generation cap (this program's runtimeconfig mirrors the app's): the server GC's own
        // cap on two cores (200 MB), under which the settings above were measured.
        info.Environment["DOTNET_GCGen0MaxBudget"] = "0xC800000";
        // BENCH_EMULATOR_<VAR>=value sets <VAR> for the emulators' process alone (e.g. perf's map of jitted code).
        Child.PassThrough(info, Child.EmulatorPrefix);

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the emulators.");
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (line is null || !line.StartsWith('{'))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The emulators did not start: " + line);
        }

        return new EmulatorProcess(process, JsonSerializer.Deserialize<EmulatorInfo>(line)!);
    }

    /// <summary>Requests the emulators answered since the last reset, and how many of them were 429.</summary>
    public async Task<(long Requests, long Throttled)> CountAsync()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("_emulator/requests/count"));
        return (document.RootElement.GetProperty("requests").GetInt64(), document.RootElement.GetProperty("throttled").GetInt64());
    }

    /// <summary>POSTs whose path ends with <paramref name="pathEnd"/> among the logged requests.</summary>
    public async Task<long> PostsAsync(string pathEnd)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("_emulator/requests?take=100000"));
        return document.RootElement.EnumerateArray().Count(e =>
            e.GetProperty("method").GetString() == "POST" && e.GetProperty("path").GetString()!.EndsWith(pathEnd, StringComparison.Ordinal)
            && e.GetProperty("status").GetInt32() is >= 200 and < 300);
    }

    public async Task ResetCountAsync() => (await Http.DeleteAsync("_emulator/requests")).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.StandardInput.Close();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
