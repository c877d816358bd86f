using System.Diagnostics;
using System.Globalization;

namespace SegmentExport.Bench;

/// <summary>
/// Warms a process the way a long-lived app is warm: passes of a small run until two in a row compile few new methods
/// (at most 24), then until the runtime's background tiering has gone quiet. One pass left the per-request and
/// per-checkpoint code (a Constant Contact pass is one import) to be compiled at its final tier during the measured
/// run: some 3,000 methods and 1-2 CPU-s.
/// </summary>
internal static class WarmUp
{
    private const int MaxPasses = 24;
    private const int SettledBelow = 60;

    /// <summary>Runs <paramref name="pass"/> (given its number, from 0) until the JIT has settled; <c>BENCH_WARM_PASSES=n</c> makes it exactly n passes.</summary>
    public static async Task UntilSettledAsync(string who, Func<int, Task> pass)
    {
        ArgumentNullException.ThrowIfNull(pass);
        var exactly = int.TryParse(Environment.GetEnvironmentVariable("BENCH_WARM_PASSES"), CultureInfo.InvariantCulture, out var n) ? n : 0;
        var trace = Environment.GetEnvironmentVariable("BENCH_JIT_TRACE") == "1";
        var passes = 0;
        var quiet = 0;
        while (exactly > 0 ? passes < exactly : passes < MaxPasses && quiet < 2)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            await pass(passes++);
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            quiet = compiled < SettledBelow ? quiet + 1 : 0;
            if (trace)
            {
                await Console.Error.WriteLineAsync($"  {who} warm pass {passes}: {compiled} methods");
            }
        }

        // Methods queued for their final tier are compiled on a background thread: wait until it has gone quiet.
        var waited = Stopwatch.StartNew();
        var count = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(250);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == count)
            {
                break;
            }

            count = now;
        }

        await Console.Error.WriteLineAsync($"  {who} warm-up: {passes} passes, {System.Runtime.JitInfo.GetCompiledMethodCount():N0} methods compiled, {System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:N1} s of JIT");
    }
}
