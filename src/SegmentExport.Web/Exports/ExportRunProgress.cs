using System.Globalization;
using System.Text;

namespace SegmentExport.Web.Exports;

/// <summary>How far a run is: processed (sent, skipped and rejected included, plus unchanged) against members, rows per second and the time left.</summary>
public sealed record ExportRunProgress(RunStatus Status, long Members, long Processed, double RowsPerSecond, TimeSpan? Remaining, TimeSpan? Elapsed)
{
    public bool Active => Status is RunStatus.Queued or RunStatus.Running;

    public int Percent => Members <= 0 ? (Active ? 0 : 100) : (int)Math.Min(100, Processed * 100 / Members);

    public static ExportRunProgress Of(ExportRun run, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(run);
        var processed = run.Sent + run.Unchanged;
        TimeSpan? elapsed = run.StartedAt is { } started ? (run.FinishedAt ?? now) - started : null;
        // A finished run's rate is its count over its exact duration, however short (a 0.2 s run of 30 contacts did 150 a
        // second, not 0); a running one waits half a second so the first page does not give a wild figure and ETA.
        var measured = elapsed is { Ticks: > 0 } e && processed > 0 && (run.FinishedAt is not null || e.TotalSeconds > 0.5);
        var rate = measured ? processed / elapsed!.Value.TotalSeconds : 0;
        TimeSpan? remaining = run.Status == RunStatus.Running && rate > 0 && run.Members > processed
            ? TimeSpan.FromSeconds((run.Members - processed) / rate)
            : null;
        return new ExportRunProgress(run.Status, run.Members, processed, rate, remaining, elapsed);
    }

    /// <summary>One line for people: "120 of 300 processed · 45.2 rows/s · about 4 s left · running for 3 s" (or "took …").</summary>
    public string Describe()
    {
        var culture = CultureInfo.CurrentCulture;
        var text = new StringBuilder(string.Create(culture, $"{Processed:N0} of {Members:N0} processed"));
        if (RowsPerSecond > 0)
        {
            text.Append(" · ").Append(Rate(RowsPerSecond)).Append(" rows/s");
        }

        if (Remaining is { } left)
        {
            text.Append(" · ").Append(Left(left));
        }

        text.Append(Elapsed switch
        {
            { } e when Active => " · running for " + Duration(e),
            { } e => " · took " + Duration(e),
            null when Status == RunStatus.Queued => " · waiting for a node",
            null => "",
        });
        return text.ToString();
    }

    /// <summary>"about 4 min 10 s left", or "almost done" in the last second.</summary>
    public static string Left(TimeSpan remaining) => remaining.TotalSeconds < 1 ? "almost done" : $"about {Duration(remaining)} left";

    /// <summary>Rows a second: whole numbers from 100 up, one decimal below.</summary>
    public static string Rate(double rowsPerSecond) =>
        rowsPerSecond.ToString(rowsPerSecond >= 100 ? "N0" : "N1", CultureInfo.CurrentCulture);

    public static string Duration(TimeSpan? time) => time switch
    {
        null => "–",
        { TotalSeconds: < 1 } => "under a second",
        { TotalMinutes: < 1 } t => $"{t.TotalSeconds:0} s",
        { TotalHours: < 1 } t => $"{(int)t.TotalMinutes} min {t.Seconds} s",
        var t => $"{(int)t.Value.TotalHours} h {t.Value.Minutes} min",
    };
}
