namespace SegmentExport.Bench;

/// <summary>
/// The export benchmark (issue 8). <c>bench/run.sh [--profiles N] [--platforms a,b] [--repeat R]</c> runs the default
/// mode; the other modes are the child processes it starts (engine, raw, emulators, import, refresh).
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
        try
        {
            var options = new Arguments(mode == "run" && (args.Length == 0 || args[0] != "run") ? args : args.Skip(1));
            return mode switch
            {
                "run" => await new Orchestrator(options).RunAsync(),
                "setup" => await new Orchestrator(options).SetupAsync(),
                "engine" => await EngineRun.RunAsync(options),
                "raw" => await RawRun.RunAsync(options),
                "emulators" => await EmulatorHost.RunAsync(options),
                "import" => await DataRuns.ImportAsync(options),
                "refresh" => await DataRuns.RefreshAsync(options),
                _ => throw new ArgumentException($"Unknown mode '{mode}'."),
            };
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
    }
}
