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
        var rate = elapsed is { TotalSeconds: > 0.5 } e ? processed / e.TotalSeconds : 0;
        TimeSpan? remaining = run.Status == RunStatus.Running && rate > 0 && run.Members > processed
            ? TimeSpan.FromSeconds((run.Members - processed) / rate)
            : null;
        return new ExportRunProgress(run.Status, run.Members, processed, rate, remaining, elapsed);
    }

    public static string Duration(TimeSpan? time) => time switch
    {
        null => "–",
        { TotalSeconds: < 1 } => "under a second",
        { TotalMinutes: < 1 } t => $"{t.TotalSeconds:0} s",
        { TotalHours: < 1 } t => $"{(int)t.TotalMinutes} min {t.Seconds} s",
        var t => $"{(int)t.Value.TotalHours} h {t.Value.Minutes} min",
    };
}
