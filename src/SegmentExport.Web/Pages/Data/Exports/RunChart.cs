using System.Globalization;
using SegmentExport.Web.Exports;

namespace SegmentExport.Web.Pages.Data.Exports;

/// <summary>Geometry of the small chart on an export's page: one bar per finished run (its duration), one dot per run (contacts sent).</summary>
public sealed class RunChart
{
    public const int Width = 600;
    public const int Height = 120;
    private const int Pad = 8;

    public sealed record Bar(double X, double Y, double BarWidth, double BarHeight, double DotY, ExportRun Run)
    {
        public string Label => string.Create(CultureInfo.InvariantCulture,
            $"Run #{Run.Id} {Run.QueuedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {Run.Status}, {ExportRunProgress.Duration(Run.FinishedAt - Run.StartedAt)}, {Run.Sent:N0} sent, {Run.Unchanged:N0} unchanged");
    }

    /// <param name="runs">Finished runs, oldest first.</param>
    public RunChart(IReadOnlyList<ExportRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var seconds = runs.Select(Seconds).ToList();
        MaxSeconds = seconds.Count == 0 ? 0 : seconds.Max();
        MaxSent = runs.Count == 0 ? 0 : runs.Max(r => r.Sent);
        // A few runs keep slim bars from the left rather than one bar across the whole chart.
        var slot = runs.Count == 0 ? 0 : Math.Min((Width - 2.0 * Pad) / runs.Count, 40);
        var usable = Height - 2.0 * Pad;
        Bars = runs.Select((r, i) =>
        {
            var h = MaxSeconds <= 0 ? 2 : Math.Max(2, seconds[i] / MaxSeconds * usable);
            var dot = Height - Pad - (MaxSent <= 0 ? 0 : r.Sent * usable / MaxSent);
            return new Bar(Pad + i * slot + slot * 0.15, Height - Pad - h, slot * 0.7, h, dot, r);
        }).ToList();
    }

    public IReadOnlyList<Bar> Bars { get; }
    public double MaxSeconds { get; }
    public long MaxSent { get; }

    public string Describe => Bars.Count == 0
        ? "No finished runs yet."
        : $"The last {Bars.Count} finished runs: bars are durations (longest {ExportRunProgress.Duration(TimeSpan.FromSeconds(MaxSeconds))}), dots are contacts sent (most {MaxSent:N0}).";

    public static string Coordinate(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static double Seconds(ExportRun run) => run.StartedAt is { } s && run.FinishedAt is { } f ? Math.Max(0, (f - s).TotalSeconds) : 0;
}
